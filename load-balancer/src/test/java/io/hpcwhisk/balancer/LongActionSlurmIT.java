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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 20-minute action on the real local cluster, with REAL pilot processes as Slurm jobs: with only
 * a pilot whose job has 10 minutes left, the action waits in the queue and ends, when the queue
 * wait runs out, with a whisk error naming its timeout and the time the best pilot has left (a
 * short action runs on that pilot meanwhile); a pilot with 30 minutes then runs it. The action
 * returns at once: the point is the routing decision, not the 20 minutes.
 */
@SlurmTest
class LongActionSlurmIT {

  private static final Duration START = Duration.ofSeconds(90);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String auth =
      "Basic "
          + Base64.getEncoder()
              .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8));

  private HttpResponse<String> call(int port, String method, String path, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(90))
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private Process startServer(SlurmEnv slurm, Path dir, int port) throws Exception {
    Path config = dir.resolve("hpc-whisk.yaml");
    Files.writeString(config, "api:\n  max-action-timeout-seconds: 3600\n");
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            WhiskServer.class.getName(),
            "--config",
            config.toString(),
            "--executor",
            "pilots",
            "--port",
            Integer.toString(port),
            "--data-dir",
            dir.resolve("data").toString(),
            "--guest",
            "--queue-wait-seconds",
            "15",
            "--pilot-partition",
            "whisk");
    pb.environment().putAll(slurm.env());
    pb.redirectError(dir.resolve("server.log").toFile());
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture.runAsync(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  if (line.startsWith("listening on ")) {
                    return;
                  }
                }
                throw new IllegalStateException("server exited; see " + dir.resolve("server.log"));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            })
        .get(60, TimeUnit.SECONDS);
    return p;
  }

  private String scrape(int port, String prefix) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    return String.join("\n", r.body().lines().filter(l -> l.startsWith(prefix)).toList());
  }

  /** The activations a pilot reported, all statuses together. */
  private double activationsOf(int port, String job) throws Exception {
    double sum = 0;
    Matcher m =
        Pattern.compile(
                "whisk_pilot_activations_total\\{[^}]*pilot=\"slurm-" + job + "\"[^}]*} ([0-9.]+)")
            .matcher(scrape(port, "whisk_pilot_activations_total"));
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }

  private boolean registered(int port, String job) throws Exception {
    return scrape(port, "whisk_pilot_reserved_mb").contains("pilot=\"slurm-" + job + "\"");
  }

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

  private String pilot(SlurmEnv slurm, PilotCredentials credentials, int port, int minutes)
      throws Exception {
    return PilotJobs.submitHeld(
        slurm,
        "ws://127.0.0.1:" + (port + 1) + PilotProtocol.PATH,
        job -> credentials.forJob(job, Instant.now().plusSeconds(3600)),
        Map.of(),
        "-p",
        "whisk",
        "--time=" + minutes);
  }

  @Test
  void aTwentyMinuteActionIsRefusedByAPilotWithLessTimeAndRunsOnOneWithEnough(
      SlurmEnv slurm, @TempDir Path dir) throws Exception {
    int port = freePair();
    PilotCredentials credentials = PilotCredentials.inDataDir(dir.resolve("data"));
    Process server = startServer(slurm, dir, port);
    List<String> jobs = new ArrayList<>();
    try {
      String shortPilot = pilot(slurm, credentials, port, 10);
      jobs.add(shortPilot);
      await()
          .atMost(START)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> registered(port, shortPilot));
      String code = "function main(){return {ran: true}}";
      assertThat(
              call(
                      port,
                      "PUT",
                      "/api/v1/namespaces/_/actions/long20",
                      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\""
                          + code
                          + "\"},\"limits\":{\"timeout\":1200000}}")
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              call(
                      port,
                      "PUT",
                      "/api/v1/namespaces/_/actions/short",
                      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"" + code + "\"}}")
                  .statusCode())
          .isEqualTo(200);

      HttpResponse<String> refused =
          call(port, "POST", "/api/v1/namespaces/_/actions/long20?blocking=true", "{}");
      HttpResponse<String> shortRun =
          call(port, "POST", "/api/v1/namespaces/_/actions/short?blocking=true", "{}");
      assertThat(shortRun.statusCode()).as(shortRun.body()).isEqualTo(200);
      // the pilot reports its counters with its heartbeats
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> activationsOf(port, shortPilot) == 1.0);
      System.out.println(
          "[long-action-it] refused: " + refused.statusCode() + " " + refused.body());
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(500);
      JsonNode error = Json.MAPPER.readTree(refused.body()).path("response").path("result");
      assertThat(error.path("error").asText())
          .contains("No pilot could take the activation within 15 s")
          .contains("the action's timeout is 1200 s")
          .contains("has that long left in its Slurm job (the most is");
      assertThat(scrape(port, "whisk_routing_refusals_total")).contains("no_time_left");

      String longPilot = pilot(slurm, credentials, port, 30);
      jobs.add(longPilot);
      await()
          .atMost(START)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> registered(port, longPilot));
      HttpResponse<String> ran =
          call(port, "POST", "/api/v1/namespaces/_/actions/long20?blocking=true", "{}");
      assertThat(ran.statusCode()).as(ran.body()).isEqualTo(200);
      assertThat(
              Json.MAPPER
                  .readTree(ran.body())
                  .path("response")
                  .path("result")
                  .path("ran")
                  .asBoolean())
          .isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> activationsOf(port, longPilot) == 1.0);
      assertThat(activationsOf(port, shortPilot))
          .as("the 10-minute pilot got no more")
          .isEqualTo(1.0);
    } catch (AssertionError | RuntimeException e) {
      jobs.forEach(j -> System.out.println(PilotJobs.output(slurm, j)));
      throw e;
    } finally {
      server.destroy();
      server.waitFor();
      for (String job : jobs) {
        slurm.run("scancel", job);
      }
    }
  }
}
