package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes a real server (API, balancer, controller, real pilot jobs on the
 * testkit's Slurm) with {@code config/prometheus/prometheus.yml}: the key series are there,
 * including the pilots' own counters reported through heartbeats; then every query of every Grafana
 * dashboard is accepted by that Prometheus and names only metrics the server's {@code /metrics}
 * really exposed during the run.
 */
@SlurmTest
class PrometheusIT {

  @TempDir Path dir;

  @Test
  void prometheusScrapesTheKeySeriesAndEveryDashboardQueryIsValid(SlurmEnv slurm) throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    if (ci) {
      assertThat(SystemFixture.onPath("prometheus"))
          .as("prometheus (Debian package) is required in CI")
          .isTrue();
    }
    assumeTrue(
        SystemFixture.onPath("prometheus"),
        "prometheus is not installed (bin/install-deps installs it)");

    int port = SystemFixture.freePort();
    String base = "http://127.0.0.1:" + port;
    Set<String> exposed = new TreeSet<>();
    try (SystemServer system =
            SystemFixture.start(
                port,
                dir.resolve("data"),
                SystemFixture.harvestConfig(slurm, dir, "adaptive", Map.of()));
        PrometheusProcess prometheus =
            PrometheusProcess.start(
                Files.createDirectories(dir.resolve("prom")), "127.0.0.1:" + port)) {
      await().atMost(Duration.ofSeconds(60)).until(prometheus::ready);
      SystemFixture.putAction(base, "hello", "nodejs:default", UpSession.NODE_HELLO);
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                var r =
                    SystemFixture.call(
                        "POST",
                        base + "/api/v1/namespaces/guest/actions/hello?blocking=true&result=true",
                        "{\"name\":\"Prometheus\"}");
                return r.statusCode() == 200 && r.body().contains("Hello, Prometheus!");
              });
      // pilots' own counters arrive with heartbeats and are scraped from the server
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> prometheus.series("whisk_pilot_cold_starts_total > 0") > 0);
      exposed.addAll(PromQl.exposed(SystemFixture.get(base + "/metrics")));
      // a batch job over every node preempts the pilots: preemption and pilot-end series appear
      var batch =
          slurm.run(
              "sbatch",
              "--partition=batch",
              "--nodes=" + slurm.nodes().size(),
              "--time=1",
              "--output=/dev/null",
              "--wrap=sleep 20");
      assertThat(batch.exitCode()).as(batch.stderr()).isZero();
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> prometheus.series("hpcwhisk_harvest_preemptions_total > 0") > 0);
      exposed.addAll(PromQl.exposed(SystemFixture.get(base + "/metrics")));

      List<String> key =
          List.of(
              "up{job=\"hpc-whisk\"} == 1",
              "whisk_activations_total{outcome=\"success\"} > 0",
              "whisk_activation_latency_seconds_bucket",
              "whisk_pilots{health=\"healthy\"}",
              "whisk_queue_length",
              "max_over_time(whisk_pilot_cold_starts_total[10m]) > 0",
              "max_over_time(whisk_pilot_runtimes_alive[10m])",
              "whisk_pilot_startup_seconds_count > 0",
              "hpcwhisk_harvest_pilots{state=\"running\"}",
              "hpcwhisk_harvest_nodes_idle",
              "hpcwhisk_harvest_preemptions_total > 0",
              "hpcwhisk_harvest_handover_seconds_count > 0",
              "hpcwhisk_harvest_handover_seconds_bucket{le=\"20.0\"}",
              "hpcwhisk_harvest_node_seconds_total > 0",
              "hpcwhisk_slurm_calls_seconds_count{command=\"sbatch\"}",
              "hpcwhisk_slurm_up == 1",
              "whisk_http_requests_seconds_count");
      List<String> missing = new ArrayList<>();
      for (String q : key) {
        int n = prometheus.series(q);
        System.out.printf("PrometheusIT: %-70s %d series%n", q, n);
        if (n == 0) {
          missing.add(q);
        }
      }
      assertThat(missing).as("key series missing in Prometheus").isEmpty();

      // every dashboard query: valid PromQL for this Prometheus, only metric names the server
      // exposed
      ObjectMapper json = new ObjectMapper();
      List<String> problems = new ArrayList<>();
      int queries = 0;
      try (Stream<Path> files = Files.list(SystemFixture.HOME.resolve("grafana/dashboards"))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
          JsonNode dash = json.readTree(file.toFile());
          for (JsonNode panel : dash.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
              String expr = target.path("expr").asText();
              queries++;
              JsonNode answer = prometheus.query(expr);
              if (!answer.path("status").asText().equals("success")) {
                problems.add(
                    file.getFileName()
                        + " / "
                        + panel.path("title").asText()
                        + ": "
                        + expr
                        + " -> "
                        + answer.path("error").asText());
              }
              for (String name : PromQl.metricNames(expr)) {
                if (!exposed.contains(name)) {
                  problems.add(
                      file.getFileName()
                          + " / "
                          + panel.path("title").asText()
                          + ": metric "
                          + name
                          + " is not exported by the server");
                }
              }
            }
          }
        }
      }
      System.out.println(
          "PrometheusIT: "
              + queries
              + " dashboard queries checked, "
              + problems.size()
              + " problems");
      assertThat(queries).isGreaterThan(30);
      assertThat(problems).isEmpty();

      // every alerting rule of config/prometheus/alerts.yml: loaded, evaluated without error,
      // exposed metrics only
      AtomicReference<JsonNode> groups = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                groups.set(prometheus.rules().path("data").path("groups"));
                return groups.get().findValuesAsText("health").stream().allMatch("ok"::equals);
              });
      List<String> rules = new ArrayList<>();
      for (JsonNode group : groups.get()) {
        for (JsonNode rule : group.path("rules")) {
          rules.add(
              rule.path("name").asText()
                  + " "
                  + rule.path("health").asText()
                  + " "
                  + rule.path("state").asText());
          if (!rule.path("health").asText().equals("ok")) {
            problems.add(
                "alert " + rule.path("name").asText() + ": " + rule.path("lastError").asText());
          }
          for (String name : PromQl.metricNames(rule.path("query").asText())) {
            if (!exposed.contains(name)) {
              problems.add(
                  "alert "
                      + rule.path("name").asText()
                      + ": metric "
                      + name
                      + " is not exported by the server");
            }
          }
        }
      }
      System.out.println("PrometheusIT: alerting rules " + rules);
      assertThat(rules).hasSize(6);
      assertThat(problems).isEmpty();
    }
  }
}
