package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.micrometer.core.instrument.Gauge;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21's slow-body attack with the shipped defaults: 500 connections with valid keys (25 keys,
 * 20 each), each a {@code PUT .../actions/x} declaring 100,000 bytes and sending one byte every 2 s
 * (reconnecting when cut off), while a normal client lists, creates and invokes actions and a real
 * pilot process, connected over the WebSocket, runs the invocations. The normal client's p99 must
 * stay at most 1 s and the pilot healthy the whole time.
 */
class SlowClientIT {

  private static final int SLOW_CONNECTIONS = 500;
  private static final int KEYS = 25;
  private static final Duration ATTACK = Duration.ofSeconds(30);

  @TempDir Path dir;
  private WhiskServer server;
  private Process pilot;

  @AfterEach
  void stop() throws Exception {
    if (pilot != null) {
      pilot.destroy();
      pilot.waitFor();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void slowBodiesDelayNeitherOtherCallersNorThePilot() throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withExecutor("pilots")
                    .withDrainSeconds(1))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
            // the pilot here is a process of this test, not a Slurm job: explicitly unverified
            .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
    server = WhiskServer.start(config, "test");
    int port = server.address().getPort();
    pilot =
        startPilot(
            server.pilotUrl(),
            WhiskServer.pilotCredentials(config).forJob("901", Instant.now().plusSeconds(3600)),
            901,
            dir);
    PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();
    await().atMost(Duration.ofSeconds(60)).until(() -> dispatcher.snapshot().pilots() == 1);

    ApiClient normal = new ApiClient("http://127.0.0.1:" + port, Identity.GUEST.authKey());
    String action =
        "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return {n: p.n}}\"}}";
    assertThat(normal.put("/api/v1/namespaces/_/actions/echo", action).status()).isEqualTo(200);
    // warm the runtime (its first start is not what this test measures)
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                normal.post("/api/v1/namespaces/_/actions/echo?blocking=true", "{\"n\":0}").status()
                    == 200);

    List<String> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      keys.add(server.identities().create("slow" + i).authKey());
    }
    AtomicBoolean attacking = new AtomicBoolean(true);
    Map<Integer, AtomicInteger> slowAnswers = new ConcurrentHashMap<>();
    AtomicLong bytesSent = new AtomicLong();
    ExecutorService slow =
        Executors.newFixedThreadPool(SLOW_CONNECTIONS); // blocking sockets, one thread each
    for (int i = 0; i < SLOW_CONNECTIONS; i++) {
      String auth =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(keys.get(i % KEYS).getBytes(StandardCharsets.UTF_8));
      int n = i;
      slow.submit(() -> slowClient(port, auth, "x" + n, attacking, slowAnswers, bytesSent));
    }

    // the pilot's health, sampled in this JVM every 100 ms from the start of the attack to its end
    List<String> notHealthy = new CopyOnWriteArrayList<>();
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleAtFixedRate(
        () -> {
          double healthy = gauge("healthy");
          if (healthy != 1.0
              || gauge("unhealthy") + gauge("unresponsive") + gauge("offline") != 0) {
            notHealthy.add(
                Instant.now()
                    + " healthy="
                    + healthy
                    + " unhealthy="
                    + gauge("unhealthy")
                    + " unresponsive="
                    + gauge("unresponsive")
                    + " offline="
                    + gauge("offline"));
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);

    // let the 500 connect and start their bodies before measuring
    await().atMost(Duration.ofSeconds(30)).until(() -> bytesSent.get() >= SLOW_CONNECTIONS);
    List<Long> latencies = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    long end = System.nanoTime() + ATTACK.toNanos();
    for (int i = 1; System.nanoTime() < end; i++) {
      timed(
          latencies,
          failures,
          "list",
          () -> normal.get("/api/v1/namespaces/_/actions?limit=5"),
          200);
      int n = i;
      timed(
          latencies,
          failures,
          "create",
          () -> normal.put("/api/v1/namespaces/_/actions/a" + (n % 20) + "?overwrite=true", action),
          200);
      timed(
          latencies,
          failures,
          "invoke",
          () -> normal.post("/api/v1/namespaces/_/actions/echo?blocking=true", "{\"n\":" + n + "}"),
          200);
    }
    attacking.set(false);
    watcher.shutdown();
    watcher.awaitTermination(10, TimeUnit.SECONDS);
    slow.shutdownNow();

    latencies.sort(null);
    long p99 = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1);
    long p50 = latencies.get(latencies.size() / 2);
    System.out.printf(
        "slow-client test: %d normal calls under %d slow-body connections: p50 %d ms, p99 %d ms,"
            + " max %d ms; slow connections were answered %s; %d bytes of slow bodies sent%n",
        latencies.size(),
        SLOW_CONNECTIONS,
        p50,
        p99,
        latencies.get(latencies.size() - 1),
        slowAnswers,
        bytesSent.get());
    assertThat(failures).isEmpty();
    assertThat(latencies.size()).isGreaterThan(30);
    assertThat(p99).as("p99 of the normal client (ms)").isLessThanOrEqualTo(1000);
    assertThat(notHealthy).as("pilot health samples that were not healthy").isEmpty();
    // the attack was real: slow bodies were cut off (408) and keys over their cap refused (429)
    assertThat(slowAnswers.getOrDefault(408, new AtomicInteger()).get()).isGreaterThan(0);
    assertThat(slowAnswers.getOrDefault(429, new AtomicInteger()).get()).isGreaterThan(0);
    assertThat(slowAnswers.keySet()).containsOnly(408, 429);
  }

  private double gauge(String health) {
    Gauge g = server.meters().find("whisk_pilots").tag("health", health).gauge();
    return g == null ? 0 : g.value();
  }

  private static void timed(
      List<Long> latencies,
      List<String> failures,
      String what,
      Supplier<ApiClient.Answer> call,
      int status) {
    long start = System.nanoTime();
    ApiClient.Answer a = call.get();
    latencies.add((System.nanoTime() - start) / 1_000_000);
    if (a.status() != status) {
      failures.add(what + ": " + a.status() + " " + a.raw().body());
    }
  }

  /**
   * One slow client: a PUT declaring 100,000 bytes, one byte every 2 s; after the server's answer,
   * again.
   */
  private static void slowClient(
      int port,
      String auth,
      String name,
      AtomicBoolean attacking,
      Map<Integer, AtomicInteger> answers,
      AtomicLong bytesSent) {
    while (attacking.get()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(100);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write(
            ("PUT /api/v1/namespaces/_/actions/"
                    + name
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                    + auth
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        int status = -1;
        while (attacking.get() && status < 0) {
          out.write('{');
          out.flush();
          bytesSent.incrementAndGet();
          status = answer(in, 2_000, attacking);
        }
        if (status > 0) {
          answers.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
        }
      } catch (IOException e) {
        // the server closed the connection: connect again
      }
      pause(1_000, attacking); // a cut-off client comes back after a second
    }
  }

  /** Waits up to {@code millis} for the server's status line; -1 when none came. */
  private static int answer(InputStream in, long millis, AtomicBoolean attacking)
      throws IOException {
    long until = System.nanoTime() + millis * 1_000_000;
    byte[] head = new byte[12];
    int got = 0;
    while (System.nanoTime() < until && attacking.get()) {
      try {
        int n = in.read(head, got, head.length - got);
        if (n < 0) {
          return got >= 12
              ? Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII))
              : 0;
        }
        got += n;
        if (got == head.length) {
          return Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
        }
      } catch (SocketTimeoutException e) {
        // nothing yet
      }
    }
    return -1;
  }

  private static void pause(long millis, AtomicBoolean attacking) {
    long until = System.nanoTime() + millis * 1_000_000;
    while (attacking.get() && System.nanoTime() < until) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** A real pilot process (the pilot's own main), as a pilot job would start it. */
  static Process startPilot(String url, String token, int job, Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.hpcwhisk.pilot.PilotMain"));
    ProcessBuilder builder = new ProcessBuilder(command);
    long now = Instant.now().getEpochSecond();
    Map<String, String> env = builder.environment();
    env.put("SLURM_JOB_ID", Integer.toString(job));
    env.put("SLURMD_NODENAME", "slow-" + job);
    env.put("SLURM_JOB_START_TIME", Long.toString(now));
    env.put("SLURM_JOB_END_TIME", Long.toString(now + 3600));
    env.put("SLURM_CPUS_ON_NODE", "2");
    env.put("SLURM_MEM_PER_NODE", "1024");
    env.put("HPC_WHISK_BALANCER_URL", url);
    // the credential in a file of its own (the pilot reads and deletes it), as the controller hands
    // it over
    Path tokenFile =
        Files.createTempFile(
            dir,
            "pilot-" + job,
            ".token",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tokenFile, token);
    env.put("HPC_WHISK_PILOT_TOKEN_FILE", tokenFile.toString());
    env.put("HPC_WHISK_PILOT_SANDBOX", "off");
    env.put("HPC_WHISK_PILOT_UNSANDBOXED_NAMESPACE", "guest");
    env.put("HPC_WHISK_GRACE", "10s");
    builder.directory(Files.createDirectories(dir.resolve("pilot-" + job)).toFile());
    File log = dir.resolve("pilot-" + job + ".log").toFile();
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }
}
