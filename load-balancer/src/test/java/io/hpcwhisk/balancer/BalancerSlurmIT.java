package io.hpcwhisk.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.testkit.PilotJobs;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The balancer with REAL pilot processes as Slurm jobs on the local cluster, under a steady load of
 * blocking invocations (retry-safe and not): one pilot is SIGTERMed (it drains), one SIGKILLed (the
 * balancer notices within 3 s), new pilots join, and the server process itself is SIGKILLed and
 * started again during the load. Afterwards every accepted activation has exactly one terminal
 * record and no retry-safe activation failed. The counts are printed.
 */
@SlurmTest
class BalancerSlurmIT {

  private static final Duration START = Duration.ofSeconds(60);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String auth =
      "Basic "
          + Base64.getEncoder()
              .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8));

  private HttpResponse<String> call(int port, String method, String path, String body)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(70))
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Starts {@code WhiskServer.main} as its own process (so that it can be SIGKILLed); waits until
   * it listens.
   */
  private Process startServer(SlurmEnv slurm, Path dir, int port, String name) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            WhiskServer.class.getName(),
            "--executor",
            "pilots",
            "--port",
            Integer.toString(port),
            "--data-dir",
            dir.resolve("data").toString(),
            "--guest",
            "--pilot-partition",
            "whisk"); // pilots are verified with this cluster's squeue
    pb.environment().putAll(slurm.env());
    pb.redirectError(dir.resolve(name + ".log").toFile());
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Void> ready =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  if (line.startsWith("listening on ")) {
                    return;
                  }
                }
                throw new IllegalStateException(
                    "server exited before listening; see " + dir.resolve(name + ".log"));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    ready.get(60, TimeUnit.SECONDS);
    return p;
  }

  /** The server's gauge values {@code name{pilot="…"}} by pilot (from /metrics). */
  private Map<String, Double> perPilot(int port, String name) throws Exception {
    Map<String, Double> values = new TreeMap<>();
    for (String line : scrape(port, name + "{pilot=").split(" (?=" + name + ")")) {
      Matcher m = Pattern.compile(name + "\\{pilot=\"([^\"]+)\"} ([0-9.]+)").matcher(line);
      if (m.find()) {
        values.put(m.group(1), Double.parseDouble(m.group(2)));
      }
    }
    return values;
  }

  private void awaitPilots(int port, int n) {
    await()
        .atMost(START)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> perPilot(port, "whisk_pilot_reserved_mb").size() >= n);
  }

  /**
   * The job whose pilot holds the most memory in activations (so the failure hits running work).
   */
  private String busiest(int port, List<String> jobs) throws Exception {
    Map<String, Double> reserved = perPilot(port, "whisk_pilot_reserved_mb");
    return jobs.stream()
        .filter(j -> reserved.containsKey("slurm-" + j))
        .max(Comparator.comparingDouble(j -> reserved.get("slurm-" + j)))
        .orElse(jobs.get(0));
  }

  /** A free loopback port whose next port is free too. */
  private static int freePair() throws IOException {
    while (true) {
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          ServerSocket next =
              new ServerSocket(free.getLocalPort() + 1, 1, InetAddress.getLoopbackAddress())) {
        return free.getLocalPort();
      } catch (IOException taken) {
        // the next port is in use: another pair
      }
    }
  }

  @Test
  void noAcceptedActivationIsLostToPreemptionKillOrRestart(SlurmEnv slurm, @TempDir Path dir)
      throws Exception {
    int port = freePair(); // and port + 1, the pilots' (balancer.port's default)
    PilotCredentials credentials =
        PilotCredentials.inDataDir(dir.resolve("data")); // the server reads this secret
    Process server = startServer(slurm, dir, port, "server-1");
    // the pilots' own port: api.port + 1 (the default), the same after the restart below
    String url = "ws://127.0.0.1:" + (port + 1) + PilotProtocol.PATH;
    List<String> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      jobs.add(
          PilotJobs.submitHeld(
              slurm,
              url,
              job -> credentials.forJob(job, Instant.now().plusSeconds(3600)),
              Map.of(),
              "-p",
              "whisk",
              "--time=10"));
    }
    try {
      awaitPilots(port, 3);
    } catch (RuntimeException e) {
      jobs.forEach(j -> System.out.println(PilotJobs.output(slurm, j)));
      throw e;
    }
    String sleepy =
        "function main(p){return new Promise(r => setTimeout(() => r({slept: p.ms}), p.ms))}";
    assertThat(
            call(
                    port,
                    "PUT",
                    "/api/v1/namespaces/_/actions/safe",
                    "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":"
                        + Json.MAPPER.writeValueAsString(sleepy)
                        + "}}")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            call(
                    port,
                    "PUT",
                    "/api/v1/namespaces/_/actions/unsafe",
                    "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":"
                        + Json.MAPPER.writeValueAsString(sleepy)
                        + "},"
                        + "\"annotations\":[{\"key\":\"retry-safe\",\"value\":false}]}")
                .statusCode())
        .isEqualTo(200);

    Map<String, Boolean> accepted = new ConcurrentHashMap<>(); // id -> retry-safe
    AtomicInteger notAccepted = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(6);
    for (int c = 0; c < 6; c++) {
      int client = c;
      clients.execute(
          () -> {
            int n = 0;
            while (running.get()) {
              boolean safe = (client + n++) % 4 != 0;
              try {
                HttpResponse<String> r =
                    call(
                        port,
                        "POST",
                        "/api/v1/namespaces/_/actions/"
                            + (safe ? "safe" : "unsafe")
                            + "?blocking=true",
                        "{\"ms\":" + (20 + (n * 37) % 300) + "}");
                r.headers()
                    .firstValue("x-openwhisk-activation-id")
                    .ifPresentOrElse(id -> accepted.put(id, safe), notAccepted::incrementAndGet);
              } catch (Exception e) {
                notAccepted.incrementAndGet(); // the server is restarting: never accepted
              }
            }
          });
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 100);

    // SIGTERM one pilot (as Slurm's preemption does): it drains; a new pilot joins
    String termed = busiest(port, jobs);
    slurm.run("scancel", "--signal=TERM", termed).orThrow(); // to its steps: the pilot
    System.out.println("[balancer-it] SIGTERM to job " + termed);
    jobs.add(
        PilotJobs.submitHeld(
            slurm,
            url,
            job -> credentials.forJob(job, Instant.now().plusSeconds(3600)),
            Map.of(),
            "-p",
            "whisk",
            "--time=10"));
    int mark = accepted.size();
    await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= mark + 100);

    // SIGKILL another: the balancer notices the lost connection; a new pilot joins
    List<String> alive = new ArrayList<>(jobs);
    alive.remove(termed);
    String killed = busiest(port, alive);
    slurm.run("scancel", "--signal=KILL", killed + ".0").orThrow(); // the pilot: the job's step 0
    System.out.println("[balancer-it] SIGKILL to job " + killed);
    jobs.add(
        PilotJobs.submitHeld(
            slurm,
            url,
            job -> credentials.forJob(job, Instant.now().plusSeconds(3600)),
            Map.of(),
            "-p",
            "whisk",
            "--time=10"));
    int mark2 = accepted.size();
    await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= mark2 + 100);

    // SIGKILL the server during the load and start it again; pilots reconnect on their own
    System.out.println(
        "[balancer-it] before the server's SIGKILL: "
            + scrape(port, "whisk_redispatches_total")
            + " "
            + scrape(port, "whisk_activations_total"));
    server.destroyForcibly().waitFor();
    server = startServer(slurm, dir, port, "server-2");
    awaitPilots(port, 2);
    System.out.println(
        "[balancer-it] restarted: "
            + Files.readAllLines(dir.resolve("server-2.log")).stream()
                .filter(l -> l.contains("recovered"))
                .findFirst()
                .orElse("nothing was pending"));
    int mark3 = accepted.size();
    await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= mark3 + 100);
    running.set(false);
    clients.shutdown();
    assertThat(clients.awaitTermination(90, TimeUnit.SECONDS)).isTrue();

    try {
      // every accepted activation has its terminal record
      Map<String, Integer> byStatus = new TreeMap<>();
      List<String> failedSafe = new ArrayList<>();
      int unsafeFailed = 0;
      Map<String, Integer> unsafeReasons = new TreeMap<>();
      for (var e : accepted.entrySet()) {
        JsonNode record =
            await()
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> recordOf(port, e.getKey()), r -> r != null);
        String status = record.path("response").path("status").asText();
        byStatus.merge(status, 1, Integer::sum);
        if (!"success".equals(status)) {
          if (e.getValue()) {
            failedSafe.add(e.getKey() + ": " + record.path("response").path("result"));
          } else {
            unsafeFailed++;
            String error = record.path("response").path("result").path("error").asText();
            unsafeReasons.merge(error.replaceAll("slurm-[0-9]+", "slurm-N"), 1, Integer::sum);
          }
        }
      }
      HttpResponse<String> count =
          call(port, "GET", "/api/v1/namespaces/_/activations?count=true", null);
      long stored = Json.MAPPER.readTree(count.body()).path("activations").asLong();
      System.out.printf(
          "[balancer-it] accepted %d (%d retry-safe), not accepted (restart) %d, records stored %d,"
              + " by status %s, retry-safe failed %d, not-retry-safe failed %d%n",
          accepted.size(),
          accepted.values().stream().filter(b -> b).count(),
          notAccepted.get(),
          stored,
          byStatus,
          failedSafe.size(),
          unsafeFailed);
      System.out.println(
          "[balancer-it] after restart: "
              + scrape(port, "whisk_redispatches_total")
              + " "
              + scrape(port, "whisk_activations_total"));
      unsafeReasons.forEach(
          (reason, n) ->
              System.out.println("[balancer-it] not-retry-safe failed " + n + "x: " + reason));
      assertThat(failedSafe).as("retry-safe activations that failed").isEmpty();
      assertThat(byStatus.values().stream().mapToInt(Integer::intValue).sum())
          .isEqualTo(accepted.size());
      assertThat(stored)
          .as("records stored (one per id; a request cut by the restart may add one we never saw)")
          .isGreaterThanOrEqualTo(accepted.size());
    } finally {
      server.destroy();
      server.waitFor();
      for (String job : jobs) {
        slurm.run("scancel", job);
      }
    }
  }

  private JsonNode recordOf(int port, String id) throws Exception {
    HttpResponse<String> r = call(port, "GET", "/api/v1/namespaces/_/activations/" + id, null);
    return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
  }

  private String scrape(int port, String prefix) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    return String.join(" ", r.body().lines().filter(l -> l.startsWith(prefix)).toList());
  }
}
