package io.hpcwhisk.bench.balancer;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.testkit.ContainerTestImage;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A burst: {@code calls} blocking invocations, all sent at once, of a nodejs action that has never
 * run, against {@code pilots} fresh REAL pilot processes ({@code io.hpcwhisk.pilot.PilotMain}, each
 * in its own JVM) through the real server ({@code api.executor: pilots}, durable store). Then the
 * same burst again on the now warm action (the baseline: what the same machine does without cold
 * starts). Prints per burst: success %, calls/s over the burst (first send to last answer), p50 /
 * p99 / max latency, and the cold starts the pilots counted.
 *
 * <p>Usage: {@code java -cp app/target/hpc-whisk.jar io.hpcwhisk.bench.balancer.BurstBenchmark
 * [calls=1000] [pilots=4] [pilotMemoryMb=2048] [actionMemoryMb=256] [settleSeconds=5]}: the burst
 * starts {@code settleSeconds} after the last pilot registered. Pilot logs go to a temporary
 * directory (kept). {@code -Dbench.pilotEnv=K=V,K=V} adds to the pilots' environment (e.g. {@code
 * HPC_WHISK_PILOT_PREWARM=0} to switch the pre-started runtimes off). {@code -Dbench.image=IMAGE}
 * makes the action a container action ({@code exec.kind: blackbox}) of that image (pilots need
 * podman; the image must be in the node's store); {@code -Dbench.image=test} builds or reuses
 * testkit's {@link ContainerTestImage} (root, podman, python3.11).
 */
public final class BurstBenchmark {

  private BurstBenchmark() {}

  /** What one burst measured. */
  record Figures(
      String name,
      int calls,
      int ok,
      double seconds,
      double p50Ms,
      double p99Ms,
      double maxMs,
      double coldStarts,
      double redispatches,
      String loadBefore,
      String loadAfter,
      int notHealthySamples) {
    double perSecond() {
      return calls / seconds;
    }

    String line() {
      return String.format(
          "%-28s %5d calls  success %6.2f %%  %7.1f calls/s  p50 %7.1f ms  p99 %7.1f ms  max %7.1f"
              + " ms  cold starts %4.0f  re-dispatches %4.0f  (%.2f s)  not-healthy samples %d "
              + " load %s -> %s",
          name,
          calls,
          100.0 * ok / calls,
          perSecond(),
          p50Ms,
          p99Ms,
          maxMs,
          coldStarts,
          redispatches,
          seconds,
          notHealthySamples,
          loadBefore,
          loadAfter);
    }
  }

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int pilots = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int pilotMemoryMb = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
    int actionMemoryMb = args.length > 3 ? Integer.parseInt(args[3]) : 256;
    int settleSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    String image = System.getProperty("bench.image", "").strip();
    if (image.equals("test")) {
      image = ContainerTestImage.ensure();
    }
    Path data = Files.createTempDirectory("hpc-whisk-burst-bench");
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withDrainSeconds(0)
                    .withExecutor("pilots")
                    .withRates(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(data.resolve("data").toString()))
            .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
    List<Process> processes = new ArrayList<>();
    try (WhiskServer server = WhiskServer.start(config, "bench")) {
      int port = server.address().getPort();
      PilotCredentials credentials = WhiskServer.pilotCredentials(config);
      for (int i = 0; i < pilots; i++) {
        processes.add(startPilot(server.pilotUrl(), credentials, 9100 + i, pilotMemoryMb, data));
      }
      PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();
      long until = System.nanoTime() + 90_000_000_000L;
      while (dispatcher.snapshot().pilots() < pilots) {
        if (System.nanoTime() > until) {
          throw new IllegalStateException("pilots did not register within 90 s; logs in " + data);
        }
        Thread.sleep(100);
      }
      // "fresh": registered a few seconds ago (a pilot resolves its interpreters right after it
      // registers)
      Thread.sleep(settleSeconds * 1000L);
      String auth =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8));
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      String base = "http://127.0.0.1:" + port + "/api/v1/namespaces/_/actions/";
      HttpResponse<String> put =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "burst"))
                  .header("Authorization", auth)
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(actionJson(image, actionMemoryMb)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (put.statusCode() != 200) {
        throw new IllegalStateException("action create: " + put.statusCode() + " " + put.body());
      }
      Figures cold = burst("new action (cold)", http, base + "burst", auth, calls, server);
      Figures warm = burst("same action again (warm)", http, base + "burst", auth, calls, server);
      System.out.println(
          "=== burst: "
              + calls
              + " parallel blocking calls, "
              + pilots
              + " fresh pilot processes of "
              + pilotMemoryMb
              + " MB ("
              + pilotMemoryMb / actionMemoryMb
              + " slots of "
              + actionMemoryMb
              + " MB each), "
              + Runtime.getRuntime().availableProcessors()
              + " cores, "
              + settleSeconds
              + " s after the pilots registered, action "
              + (image.isEmpty() ? "nodejs:20" : "blackbox image " + image)
              + ", pilot env "
              + System.getProperty("bench.pilotEnv", "(default)")
              + " ===");
      System.out.println(cold.line());
      System.out.println(warm.line());
      System.out.printf(
          "ratio cold/warm: calls/s %.3f, p99 %.2f%n",
          cold.perSecond() / warm.perSecond(), cold.p99Ms() / warm.p99Ms());
      System.out.println("pilot logs in " + data);
    } finally {
      for (Process p : processes) {
        p.destroy();
      }
      for (Process p : processes) {
        p.waitFor();
      }
      ApiOverheadBenchmark.deleteTree(data.resolve("data"));
    }
  }

  private static Figures burst(
      String name, HttpClient http, String url, String auth, int calls, WhiskServer server)
      throws Exception {
    String loadBefore = loadAverage();
    double coldBefore = coldStarts(server);
    // every 100 ms: is some pilot not HEALTHY (offline, unresponsive, unhealthy)?
    AtomicInteger notHealthy = new AtomicInteger();
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleAtFixedRate(
        () -> {
          double bad = 0;
          for (String health : List.of("unhealthy", "unresponsive", "offline")) {
            var g = server.meters().find("whisk_pilots").tag("health", health).gauge();
            bad += g == null ? 0 : g.value();
          }
          if (bad > 0) {
            notHealthy.incrementAndGet();
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
    double redispatchesBefore = sum(server, "whisk_redispatches");
    long[] latencies = new long[calls];
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    List<CompletableFuture<Void>> all = new ArrayList<>(calls);
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      int n = i;
      long sent = System.nanoTime();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url + "?blocking=true&result=true"))
              .timeout(Duration.ofSeconds(120))
              .header("Authorization", auth)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + n + "}"))
              .build();
      all.add(
          http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .handle(
                  (r, e) -> {
                    latencies[n] = System.nanoTime() - sent;
                    if (e == null && r.statusCode() == 200 && r.body().contains("\"n\":" + n)) {
                      ok.incrementAndGet();
                    } else if (failures.incrementAndGet() <= 5) {
                      System.out.println(
                          "call "
                              + n
                              + " failed: "
                              + (e != null ? e : r.statusCode() + " " + r.body()));
                    }
                    return null;
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    double seconds = (System.nanoTime() - t0) / 1e9;
    watcher.shutdownNow();
    // the pilots report their counters with their heartbeats (every 500 ms)
    Thread.sleep(1500);
    double cold = coldStarts(server) - coldBefore;
    double redispatches = sum(server, "whisk_redispatches") - redispatchesBefore;
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    return new Figures(
        name,
        calls,
        ok.get(),
        seconds,
        sorted[(int) Math.floor(0.50 * (calls - 1))] / 1e6,
        sorted[(int) Math.floor(0.99 * (calls - 1))] / 1e6,
        sorted[calls - 1] / 1e6,
        cold,
        redispatches,
        loadBefore,
        loadAverage(),
        notHealthy.get());
  }

  /**
   * The action: nodejs:20 code answering its parameter {@code n}, or with {@code image} a container
   * action ({@code exec.kind: blackbox}) of that image; testkit's image echoes its parameters.
   */
  static String actionJson(String image, int memoryMb) {
    String exec =
        image.isEmpty()
            ? "{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return {n: p.n}}\"}"
            : "{\"kind\":\"blackbox\",\"image\":\"" + image + "\"}";
    return "{\"exec\":" + exec + ",\"limits\":{\"memory\":" + memoryMb + "}}";
  }

  /** The first three fields of {@code /proc/loadavg} (1, 5, 15 min), or "?" elsewhere. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static double sum(WhiskServer server, String name) {
    return server.meters().find(name).counters().stream().mapToDouble(c -> c.count()).sum()
        + server.meters().find(name).functionCounters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static double coldStarts(WhiskServer server) {
    return server.meters().find("whisk_pilot_cold_starts").functionCounters().stream()
            .mapToDouble(c -> c.count())
            .sum()
        + server.meters().find("whisk_pilot_cold_starts").counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
  }

  private static Process startPilot(
      String url, PilotCredentials credentials, int job, int memoryMb, Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
    command.add("io.hpcwhisk.pilot.PilotMain");
    ProcessBuilder builder = new ProcessBuilder(command);
    long now = Instant.now().getEpochSecond();
    Map<String, String> env = builder.environment();
    env.put("SLURM_JOB_ID", Integer.toString(job));
    env.put("SLURMD_NODENAME", "bench-" + job);
    env.put("SLURM_JOB_START_TIME", Long.toString(now));
    env.put("SLURM_JOB_END_TIME", Long.toString(now + 3600));
    env.put("SLURM_CPUS_ON_NODE", "2");
    env.put("SLURM_MEM_PER_NODE", Integer.toString(memoryMb));
    env.put("HPC_WHISK_BALANCER_URL", url);
    Path tokenFile = dir.resolve("pilot-" + job + ".token");
    Files.writeString(
        Files.createFile(
            tokenFile,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
        credentials.forJob(Integer.toString(job), Instant.now().plusSeconds(86_400)));
    env.put("HPC_WHISK_PILOT_TOKEN_FILE", tokenFile.toString());
    env.put("HPC_WHISK_PILOT_SANDBOX", "off");
    env.put("HPC_WHISK_PILOT_UNSANDBOXED_NAMESPACE", "guest"); // the benchmark's only namespace
    env.put("HPC_WHISK_GRACE", "10s");
    String extra = System.getProperty("bench.pilotEnv", "").strip();
    for (String pair : extra.isEmpty() ? new String[0] : extra.split(",")) {
      int eq = pair.indexOf('=');
      env.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    File log = dir.resolve("pilot-" + job + ".log").toFile();
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }
}
