package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21's overload isolation: 300 concurrent clients (loopback, 20 s) hammer the API with
 * ordinary requests (list, create, get, non-blocking invoke) while a real pilot process is
 * connected on the pilots' own connector. The API's thread pool is saturated (its queue is
 * sampled); the pilot must stay HEALTHY at every 100 ms sample and its heartbeats must keep
 * arriving (no gap of 1.5 s, three times the heartbeat interval).
 */
class ApiFloodIT {

  private static final int CLIENTS = 300;
  private static final Duration FLOOD = Duration.ofSeconds(20);
  private static final long MAX_HEARTBEAT_GAP_MS = 1_500;

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
  void aFloodOfApiRequestsDelaysNeitherHeartbeatsNorThePilotsHealth() throws Exception {
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
        SlowClientIT.startPilot(
            server.pilotUrl(),
            WhiskServer.pilotCredentials(config).forJob("902", Instant.now().plusSeconds(3600)),
            902,
            dir);
    PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();
    await().atMost(Duration.ofSeconds(60)).until(() -> dispatcher.snapshot().pilots() == 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> gauge("healthy") == 1.0);

    ApiClient normal = new ApiClient("http://127.0.0.1:" + port, Identity.GUEST.authKey());
    String action =
        "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return {n: p.n}}\"}}";
    assertThat(normal.put("/api/v1/namespaces/_/actions/echo", action).status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                normal.post("/api/v1/namespaces/_/actions/echo?blocking=true", "{\"n\":0}").status()
                    == 200);

    AtomicBoolean flooding = new AtomicBoolean(true);
    QueuedThreadPool apiPool = (QueuedThreadPool) server.http().apiExecutor();
    QueuedThreadPool pilotPool = (QueuedThreadPool) server.http().pilotExecutor().orElseThrow();
    List<String> notHealthy = new CopyOnWriteArrayList<>();
    AtomicLong maxGap = new AtomicLong();
    AtomicInteger maxApiQueue = new AtomicInteger();
    AtomicInteger maxPilotQueue = new AtomicInteger();
    double beatsBefore = heartbeats();
    AtomicLong lastBeats = new AtomicLong(Double.doubleToLongBits(heartbeats()));
    AtomicLong lastChange = new AtomicLong(System.nanoTime());
    Runnable sample =
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
          long now = Double.doubleToLongBits(heartbeats());
          if (lastBeats.getAndSet(now) != now) {
            lastChange.set(System.nanoTime());
          }
          maxGap.accumulateAndGet((System.nanoTime() - lastChange.get()) / 1_000_000, Math::max);
          maxApiQueue.accumulateAndGet(apiPool.getQueueSize(), Math::max);
          maxPilotQueue.accumulateAndGet(pilotPool.getQueueSize(), Math::max);
        };
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();

    Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    AtomicLong requests = new AtomicLong();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    long start = System.nanoTime();
    long end = start + FLOOD.toNanos();
    watcher.scheduleAtFixedRate(sample, 0, 100, TimeUnit.MILLISECONDS); // the pilot, every 100 ms
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      clients.submit(
          () -> {
            ApiClient api = new ApiClient("http://127.0.0.1:" + port, Identity.GUEST.authKey());
            for (int i = 0; System.nanoTime() < end; i++) {
              long t = System.nanoTime();
              try {
                ApiClient.Answer a =
                    switch (i % 4) {
                      case 0 -> api.get("/api/v1/namespaces/_/actions?limit=5");
                      case 1 ->
                          api.put(
                              "/api/v1/namespaces/_/actions/f" + (client % 50) + "?overwrite=true",
                              action);
                      case 2 -> api.get("/api/v1/namespaces/_/actions/echo");
                      default -> api.post("/api/v1/namespaces/_/actions/echo", "{\"n\":" + i + "}");
                    };
                answers
                    .computeIfAbsent(Integer.toString(a.status()), k -> new AtomicInteger())
                    .incrementAndGet();
              } catch (RuntimeException e) {
                answers.computeIfAbsent("error", k -> new AtomicInteger()).incrementAndGet();
              }
              latencies.add((System.nanoTime() - t) / 1_000_000);
              requests.incrementAndGet();
            }
          });
    }
    clients.shutdown();
    assertThat(clients.awaitTermination(FLOOD.toSeconds() + 120, TimeUnit.SECONDS)).isTrue();
    flooding.set(false);
    watcher.shutdown();
    watcher.awaitTermination(10, TimeUnit.SECONDS);
    double beats = heartbeats() - beatsBefore;
    double seconds = (System.nanoTime() - start) / 1e9;

    List<Long> sorted = new ArrayList<>(latencies);
    sorted.sort(null);
    System.out.printf(
        "API flood: %d clients, %d requests in %.1f s (%.0f/s), API latency p50 %d ms, p99 %d ms,"
            + " max %d ms; answers %s; API pool queue max %d, pilot pool queue max %d; pilot"
            + " heartbeats received %.0f (%.1f/s), longest gap %d ms; not-healthy samples %d%n",
        CLIENTS,
        requests.get(),
        seconds,
        requests.get() / seconds,
        sorted.get(sorted.size() / 2),
        sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1),
        sorted.get(sorted.size() - 1),
        answers,
        maxApiQueue.get(),
        maxPilotQueue.get(),
        beats,
        beats / seconds,
        maxGap.get(),
        notHealthy.size());
    assertThat(requests.get()).as("the flood was real").isGreaterThan(CLIENTS * 4L);
    assertThat(maxApiQueue.get()).as("the API pool had a queue (saturated)").isPositive();
    assertThat(notHealthy).as("pilot health samples that were not healthy").isEmpty();
    assertThat(maxGap.get())
        .as("longest time without a heartbeat (ms)")
        .isLessThanOrEqualTo(MAX_HEARTBEAT_GAP_MS);
    // 500 ms heartbeats: at least half of those due arrived (the gap bound above is the stricter
    // check)
    assertThat(beats).as("heartbeats during the flood").isGreaterThanOrEqualTo(seconds);
    // the pilot still runs work after the flood
    assertThat(normal.post("/api/v1/namespaces/_/actions/echo?blocking=true", "{\"n\":1}").status())
        .isEqualTo(200);
  }

  private double gauge(String health) {
    Gauge g = server.meters().find("whisk_pilots").tag("health", health).gauge();
    return g == null ? 0 : g.value();
  }

  private double heartbeats() {
    Counter c = server.meters().find("whisk_pilot_heartbeats").counter();
    return c == null ? 0 : c.count();
  }
}
