package io.hpcwhisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's package) on loopback, with {@code config/prometheus/prometheus.yml}
 * pointed at a given server and its alerting rules ({@code alerts.yml}) evaluated every second, its
 * own TSDB in a temp dir; stopped by its pid (SIGTERM, then SIGKILL).
 */
final class PrometheusProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  final int port;
  private final Process process;

  private PrometheusProcess(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  static PrometheusProcess start(Path dir, String target) throws Exception {
    String config =
        Files.readString(SystemFixture.HOME.resolve("config/prometheus/prometheus.yml"))
            .replace("'127.0.0.1:3233'", "'" + target + "'")
            .replace("scrape_interval: 5s", "scrape_interval: 1s")
            .replace("evaluation_interval: 15s", "evaluation_interval: 1s");
    if (!config.contains(target)) {
      throw new IllegalStateException(
          "config/prometheus/prometheus.yml has no target 127.0.0.1:3233 to replace");
    }
    Path file = Files.writeString(dir.resolve("prometheus.yml"), config);
    Files.copy(
        SystemFixture.HOME.resolve("config/prometheus/alerts.yml"), dir.resolve("alerts.yml"));
    int port = SystemFixture.freePort();
    Process p =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    return new PrometheusProcess(port, p);
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  boolean ready() {
    try {
      return SystemFixture.get(url() + "/-/ready").contains("Ready");
    } catch (Exception e) {
      return false;
    }
  }

  /** {@code /api/v1/query}: the whole JSON answer (status success or error). */
  JsonNode query(String promql) throws Exception {
    String body =
        SystemFixture.get(
            url() + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    return JSON.readTree(body);
  }

  /** {@code /api/v1/rules}: the rule groups with each rule's health and last error. */
  JsonNode rules() throws Exception {
    return JSON.readTree(SystemFixture.get(url() + "/api/v1/rules"));
  }

  /** The number of series a query returns (0 when it fails). */
  int series(String promql) {
    try {
      JsonNode r = query(promql);
      return r.path("status").asText().equals("success") ? r.path("data").path("result").size() : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy(); // SIGTERM to this pid
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
