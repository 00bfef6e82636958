package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.micrometer.core.instrument.Gauge;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25 item 6 in small: a burst of parallel blocking calls of a nodejs action that has never
 * run, against two fresh REAL pilot processes (pre-started runtimes at their default): every call
 * answers 200 with its own parameter (none is lost to acknowledgement time-outs and re-sends on a
 * starved machine), and both pilots are HEALTHY after the burst; the 100 ms health samples taken
 * during the burst are printed.
 */
class ColdBurstIT {

  private static final int CALLS = 120;
  private static final int PILOTS = 2;

  @TempDir Path dir;
  private WhiskServer server;
  private final List<Process> pilots = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : pilots) {
      p.destroy();
    }
    for (Process p : pilots) {
      p.waitFor();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aColdBurstAllSucceedsAndThePilotsAreHealthyAfterwards() throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withExecutor("pilots")
                    .withDrainSeconds(1)
                    .withRates(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
            // the pilots here are processes of this test, not Slurm jobs: explicitly unverified
            .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
    server = WhiskServer.start(config, "test");
    for (int i = 0; i < PILOTS; i++) {
      int job = 930 + i;
      pilots.add(
          SlowClientIT.startPilot(
              server.pilotUrl(),
              WhiskServer.pilotCredentials(config)
                  .forJob(Integer.toString(job), Instant.now().plusSeconds(3600)),
              job,
              dir));
    }
    PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();
    try {
      await().atMost(Duration.ofSeconds(120)).until(() -> dispatcher.snapshot().pilots() == PILOTS);
    } catch (ConditionTimeoutException e) {
      StringBuilder logs = new StringBuilder();
      for (int i = 0; i < PILOTS; i++) {
        Path log = dir.resolve("pilot-" + (930 + i) + ".log");
        logs.append(log).append(":\n").append(Files.exists(log) ? Files.readString(log) : "-");
      }
      throw new AssertionError("the pilots did not register; their logs:\n" + logs, e);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> gauge("healthy") == PILOTS);

    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8));
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    String url = "http://127.0.0.1:" + server.address().getPort() + "/api/v1/namespaces/_/actions/";
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "burst"))
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return"
                            + " {n: p.n}}\"}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

    List<String> notHealthy = new CopyOnWriteArrayList<>();
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleAtFixedRate(
        () -> {
          if (gauge("healthy") != PILOTS) {
            notHealthy.add(
                Instant.now()
                    + " healthy="
                    + gauge("healthy")
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
    List<String> failures = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    try {
      for (int i = 0; i < CALLS; i++) {
        int n = i;
        HttpRequest request =
            HttpRequest.newBuilder(URI.create(url + "burst?blocking=true&result=true"))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + n + "}"))
                .build();
        calls.add(
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle(
                    (r, e) -> {
                      if (e != null) {
                        failures.add(n + ": " + e);
                      } else if (r.statusCode() != 200 || !r.body().contains("\"n\":" + n)) {
                        failures.add(n + ": " + r.statusCode() + " " + r.body());
                      }
                      return null;
                    }));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    } finally {
      watcher.shutdown();
      watcher.awaitTermination(10, TimeUnit.SECONDS);
    }

    assertThat(failures).as("calls that did not answer 200 with their own n").isEmpty();
    // Not asserted: HEALTHY at every sample. Pilots were declared offline under bursts because
    // their frames waited for the dispatcher's lock (fixed; PilotLivenessTest), but on this shared
    // machine (load 20-90 on 2 cores) a pilot JVM can still be starved silent for 3 s. What must
    // hold: no call is lost, and the pilots are healthy again after the burst.
    System.out.printf(
        "cold burst: %d calls, %d samples with a pilot not healthy: %s%n",
        CALLS, notHealthy.size(), notHealthy.stream().limit(3).toList());
    await().atMost(Duration.ofSeconds(30)).until(() -> gauge("healthy") == PILOTS);
    // the pilots report their counters with their heartbeats
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(counter("whisk_pilot_cold_starts")).isGreaterThanOrEqualTo(PILOTS));
    System.out.printf(
        "cold burst: cold starts %.0f, re-dispatches %.0f%n",
        counter("whisk_pilot_cold_starts"), counter("whisk_redispatches"));
  }

  private double gauge(String health) {
    Gauge g = server.meters().find("whisk_pilots").tag("health", health).gauge();
    return g == null ? 0 : g.value();
  }

  private double counter(String name) {
    return server.meters().find(name).counters().stream().mapToDouble(c -> c.count()).sum()
        + server.meters().find(name).functionCounters().stream().mapToDouble(c -> c.count()).sum();
  }
}
