package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.pilot.InvokerPilot;
import io.hpcwhisk.pilot.PilotIdentity;
import io.hpcwhisk.pilot.PilotSettings;
import io.hpcwhisk.runtime.ActionRuntimes;
import io.hpcwhisk.runtime.RuntimeConfig;
import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that is alive but silent (a real server process, SIGSTOPped past {@code
 * store.postgres.server-stale-ms}, then SIGCONTed) while its pilot runs two activations that are
 * not retry-safe and three more wait in its own queue; a second server (in this JVM, with a pilot
 * of its own) takes them over. Every run is counted by the action itself (a line appended to a
 * file): after the wake-up nothing runs twice, what was running and is not retry-safe ends in one
 * error record naming why, every activation has exactly one terminal record, and the woken server's
 * blocking callers get that record.
 */
class SilentServerFencingIT {

  private static PostgresCluster cluster;

  @TempDir Path dir;
  private String database;
  private Path password;
  private WhiskServer a;
  private final List<InvokerPilot> pilots = new CopyOnWriteArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws IOException {
    Required.on(PostgresCluster.available(), PostgresCluster.MISSING);
    cluster = PostgresCluster.start(List.of("fsync=off"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      signal(p, "CONT"); // a stopped process does not act on SIGKILL until continued
      p.destroyForcibly();
    }
    pilots.forEach(InvokerPilot::terminate);
    if (a != null) {
      a.close();
    }
  }

  private static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -" + signal + " " + p.pid()).isZero();
  }

  private ServerConfig config(String name) {
    return ServerConfig.DEFAULT
        .withApi(
            ServerConfig.DEFAULT
                .api()
                .withPort(0)
                .withGuest(true)
                .withExecutor("pilots")
                .withDrainSeconds(1))
        .withStore(
            ServerConfig.DEFAULT
                .store()
                .withDataDir(dir.resolve(name).toString())
                .withPostgres(
                    new ServerConfig.Postgres(
                        database, cluster.user(), password.toString(), 4, 5000, 1500)))
        .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
  }

  /** Server S as a process of its own (WhiskServer.main); it makes the pilot secret A shares. */
  private Process serverProcess(String name, int port, int pilotPort) throws Exception {
    Path data = dir.resolve(name);
    Files.createDirectories(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    Path yaml = dir.resolve(name + ".yaml");
    Files.writeString(
        yaml,
        "api:\n  guest: true\n  executor: pilots\n  drain-seconds: 1\n  port: "
            + port
            + "\nbalancer:\n  verify-jobs: none\n  port: "
            + pilotPort
            + "\n"
            + "store:\n  data-dir: "
            + data
            + "\n  kind: postgres\n  postgres:\n    url: "
            + database
            + "\n    user: "
            + cluster.user()
            + "\n    password-file: "
            + password
            + "\n    pool-size: 4\n    server-stale-ms: 1500\n");
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            WhiskServer.class.getName(),
            "--config",
            yaml.toString());
    pb.redirectError(dir.resolve("server-" + name + ".log").toFile());
    Process p = pb.start();
    processes.add(p);
    var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture.runAsync(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  if (line.startsWith("listening on ")) {
                    return;
                  }
                }
                throw new IllegalStateException("server " + name + " exited; see " + dir);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            })
        .get(120, TimeUnit.SECONDS);
    return p;
  }

  private static int freePort() throws IOException {
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void startPilot(String job, String url) {
    String token =
        WhiskServer.pilotCredentials(config("a")).forJob(job, Instant.now().plusSeconds(3600));
    PilotIdentity identity =
        new PilotIdentity(job, "n1", 2, 1024, Instant.now(), Instant.now().plusSeconds(600), null);
    ActionRuntimes runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(dir.resolve("rt-" + job), 1024)
                .withSandbox(RuntimeConfig.Sandbox.OFF)
                .withUnsandboxedNamespace("guest"));
    InvokerPilot pilot =
        new InvokerPilot(
            identity,
            PilotSettings.of(URI.create(url), token, dir.resolve("w-" + job))
                .withSandbox(RuntimeConfig.Sandbox.OFF),
            runtimes,
            "test");
    pilots.add(pilot);
    CompletableFuture.supplyAsync(pilot::run);
  }

  private String sql(String query) throws IOException {
    String db = database.substring(database.lastIndexOf('/') + 1);
    return cluster.psql(db, query).strip();
  }

  private static String metrics(String base) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(base + "/metrics")).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * An action of 512 MB (two fit on a pilot) that appends "tag id" to the run file, then sleeps
   * {@code ms} and answers its tag.
   */
  private String counted(String tag, int ms, boolean retrySafe) {
    return "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){"
        + "require('fs').appendFileSync(p.file, p.tag + ' ' + process.env.__OW_ACTIVATION_ID +"
        + " '\\\\n'); return new Promise(r => setTimeout(() => r({tag: p.tag}), p.ms))}\"},"
        + "\"limits\":{\"memory\":512},\"parameters\":[{\"key\":\"file\",\"value\":\""
        + dir.resolve("runs")
        + "\"},{\"key\":\"tag\",\"value\":\""
        + tag
        + "\"},{\"key\":\"ms\",\"value\":"
        + ms
        + "}],\"annotations\":[{\"key\":\"retry-safe\",\"value\":"
        + retrySafe
        + "}]}";
  }

  /** How often each tag ran so far (one line per run, written by the action). */
  private Map<String, Integer> runs() throws IOException {
    Map<String, Integer> out = new LinkedHashMap<>();
    Path file = dir.resolve("runs");
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          out.merge(line.split(" ")[0], 1, Integer::sum);
        }
      }
    }
    return out;
  }

  @Test
  void aPausedServerDispatchesNothingItLostAndItsCallersGetTheRecordTheAdopterWrote()
      throws Exception {
    password = dir.resolve("pg-password");
    Files.writeString(password, cluster.password() + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    database = cluster.createDatabase();

    // S alone on the database: what its pilot cannot take waits in S's own queue
    int port = freePort();
    int pilotPort = freePort();
    Process s = serverProcess("s", port, pilotPort);
    Path aData = dir.resolve("a");
    Files.createDirectories(aData);
    Files.setPosixFilePermissions(aData, PosixFilePermissions.fromString("rwx------"));
    Files.copy(
        dir.resolve("s").resolve("pilot-secret"),
        aData.resolve("pilot-secret"),
        StandardCopyOption.COPY_ATTRIBUTES);
    String sBase = "http://127.0.0.1:" + port;
    ApiClient onS = new ApiClient(sBase, Identity.GUEST.authKey());
    startPilot("81", "ws://127.0.0.1:" + pilotPort + "/pilot/v1");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                metrics(sBase).matches("(?s).*\nwhisk_pilots\\{health=\"healthy\",?\\} 1\\.0\n.*"));
    for (String tag : List.of("b1", "b2", "a3")) {
      assertThat(onS.put("/api/v1/namespaces/_/actions/" + tag, counted(tag, 6000, false)).status())
          .isEqualTo(200);
    }
    for (String tag : List.of("a1", "a2", "after")) {
      assertThat(onS.put("/api/v1/namespaces/_/actions/" + tag, counted(tag, 300, true)).status())
          .isEqualTo(200);
    }

    // (b) b1 (its caller waits) and b2 run on S's pilot; neither is retry-safe
    CompletableFuture<ApiClient.Answer> b1Caller =
        CompletableFuture.supplyAsync(
            () -> onS.post("/api/v1/namespaces/_/actions/b1?blocking=true", "{}"));
    ApiClient.Answer b2 = onS.post("/api/v1/namespaces/_/actions/b2", "{}");
    assertThat(b2.status()).isEqualTo(202);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> runs().getOrDefault("b1", 0) == 1 && runs().getOrDefault("b2", 0) == 1);
    } catch (ConditionTimeoutException e) {
      String id = b2.body().path("activationId").asText();
      throw new AssertionError(
          "b1 and b2 did not start: b2's record "
              + onS.get("/api/v1/namespaces/_/activations/" + id).body()
              + "; server S's log:\n"
              + Files.readString(dir.resolve("server-s.log")),
          e);
    }
    // (a) a1 (its caller waits), a2 (retry-safe) and a3 (not) wait in S's queue: the pilot is full
    CompletableFuture<ApiClient.Answer> a1Caller =
        CompletableFuture.supplyAsync(
            () -> onS.post("/api/v1/namespaces/_/actions/a1?blocking=true", "{}"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> metrics(sBase).contains("whisk_queue_length 1.0"));
    ApiClient.Answer a2 = onS.post("/api/v1/namespaces/_/actions/a2", "{}");
    ApiClient.Answer a3 = onS.post("/api/v1/namespaces/_/actions/a3", "{}");
    assertThat(List.of(a2.status(), a3.status())).containsOnly(202);
    assertThat(metrics(sBase)).contains("whisk_queue_length 3.0");
    assertThat(sql("SELECT count(*) FROM dispatch_queue")).isEqualTo("0");

    // A joins with a pilot of its own; then S goes silent (SIGSTOP) past server-stale-ms
    a = WhiskServer.start(config("a"), "test");
    startPilot("82", a.pilotUrl());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> ((PilotDispatcher) a.dispatcher()).snapshot().pilots() == 1);
    signal(s, "STOP");
    long stoppedAt = System.nanoTime();
    // A takes over all five: b1, b2, a3 end in error records (not retry-safe), a1 and a2 run on
    // A's pilot
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                sql("SELECT count(*) FROM activation_records").equals("5")
                    && sql("SELECT count(*) FROM pending_activations").equals("0"));
    long adoptedMs = (System.nanoTime() - stoppedAt) / 1_000_000;
    assertThat(runs()).containsEntry("a1", 1).containsEntry("a2", 1).doesNotContainKey("a3");

    signal(s, "CONT");
    ApiClient.Answer b1 = b1Caller.get(90, TimeUnit.SECONDS);
    ApiClient.Answer a1 = a1Caller.get(90, TimeUnit.SECONDS);
    // S dispatches again (once it has re-read what it owns): new work runs
    ApiClient.Answer after = onS.post("/api/v1/namespaces/_/actions/after?blocking=true", "{}");
    assertThat(after.status()).as(after.body().toString()).isEqualTo(200);
    // let anything S still held reach a pilot before counting: b1 and b2's pilot is free again
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> metrics(sBase).contains("whisk_queue_length 0.0"));

    Map<String, Integer> runs = runs();
    System.out.printf(
        "S stopped %d ms until A had taken over and ended all five; runs after the wake-up %s;"
            + " callers of S: b1 %d, a1 %d (load %s)%n",
        adoptedMs,
        runs,
        b1.status(),
        a1.status(),
        Files.readString(Path.of("/proc/loadavg")).strip());
    assertThat(runs)
        .as("nothing ran twice; a3 (queued, not retry-safe) never ran")
        .containsEntry("b1", 1)
        .containsEntry("b2", 1)
        .containsEntry("a1", 1)
        .containsEntry("a2", 1)
        .containsEntry("after", 1)
        .doesNotContainKey("a3");

    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("b1", b1.body().path("activationId").asText());
    ids.put("b2", b2.body().path("activationId").asText());
    ids.put("a1", a1.body().path("activationId").asText());
    ids.put("a2", a2.body().path("activationId").asText());
    ids.put("a3", a3.body().path("activationId").asText());
    for (Map.Entry<String, String> e : ids.entrySet()) {
      assertThat(
              sql(
                  "SELECT count(*) FROM activation_records WHERE activation_id = '"
                      + e.getValue()
                      + "'"))
          .as(e.getKey() + " has exactly one terminal record")
          .isEqualTo("1");
    }
    for (String tag : List.of("b1", "b2", "a3")) {
      JsonNode r = onS.get("/api/v1/namespaces/_/activations/" + ids.get(tag)).body();
      assertThat(r.path("response").path("status").asText())
          .as(tag + ": " + r)
          .isEqualTo("whisk internal error");
      assertThat(r.path("response").path("result").path("error").asText())
          .contains("went silent")
          .contains("not retry-safe");
    }
    for (String tag : List.of("a1", "a2")) {
      JsonNode r = onS.get("/api/v1/namespaces/_/activations/" + ids.get(tag)).body();
      assertThat(r.path("response").path("result").path("tag").asText()).isEqualTo(tag);
    }
    // the woken server's callers got the one stored record, not an answer of their own
    JsonNode b1Stored = onS.get("/api/v1/namespaces/_/activations/" + ids.get("b1")).body();
    assertThat(b1.status()).as(b1.body().toString()).isEqualTo(500);
    assertThat(b1.body().path("response")).isEqualTo(b1Stored.path("response"));
    JsonNode a1Stored = onS.get("/api/v1/namespaces/_/activations/" + ids.get("a1")).body();
    assertThat(a1.status()).as(a1.body().toString()).isEqualTo(200);
    assertThat(a1.body().path("response")).isEqualTo(a1Stored.path("response"));
    assertThat(a1.body().path("end").asLong()).isEqualTo(a1Stored.path("end").asLong());
    assertThat(Files.readString(dir.resolve("server-s.log")))
        .contains("re-read what it owns after the lapse: 5 activations were taken over");
  }
}
