package io.hpcwhisk.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the server with SIGKILL while activations are in flight and starts it again on the same
 * data directory: every entity and record is still there, and every accepted activation ends in
 * exactly one terminal record (re-run when retry-safe, a whisk error naming the reason otherwise).
 * The server runs as a separate JVM; a fake executor holds (first run) or echoes (second run).
 */
class RestartIT {

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    processes.forEach(Process::destroyForcibly);
  }

  /**
   * More arguments of {@link FakeExecutorServerMain} choosing the store: none for the embedded one
   * ({@code PostgresRestartIT} runs the same tests on PostgreSQL).
   */
  List<String> storeArgs() {
    return List.of();
  }

  /** Starts the server process and returns its base URL once it listens, plus the recovery line. */
  private String[] start(String mode) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            FakeExecutorServerMain.class.getName(),
            mode,
            dir.resolve("data").toString());
    pb.command().addAll(storeArgs());
    pb.redirectError(dir.resolve("server-" + mode + ".log").toFile());
    Process p = pb.start();
    processes.add(p);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String[]> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String recovered = null;
                for (String line; (line = out.readLine()) != null; ) {
                  if (line.startsWith("recovered ")) {
                    recovered = line;
                  }
                  if (line.startsWith("listening on ")) {
                    return new String[] {line.substring("listening on ".length()), recovered};
                  }
                }
                throw new IllegalStateException("server exited before listening; see " + dir);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    return ready.get(60, TimeUnit.SECONDS);
  }

  @Test
  void aKilledServerLosesNothing() throws Exception {
    String[] first = start("hold");
    ApiClient api = new ApiClient(first[0], Identity.GUEST.authKey());
    String node = "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return p}\"}";
    assertThat(api.put("/api/v1/namespaces/_/actions/safe", node + "}").status()).isEqualTo(200);
    assertThat(
            api.put(
                    "/api/v1/namespaces/_/actions/unsafe",
                    node + ",\"annotations\":[{\"key\":\"retry-safe\",\"value\":false}]}")
                .status())
        .isEqualTo(200);
    assertThat(
            api.put(
                    "/api/v1/namespaces/_/packages/pkg",
                    "{\"parameters\":[{\"key\":\"k\",\"value\":1}]}")
                .status())
        .isEqualTo(200);
    assertThat(api.put("/api/v1/namespaces/_/actions/pkg/inner", node + "}").status())
        .isEqualTo(200);
    assertThat(api.put("/api/v1/namespaces/_/triggers/trig", "{}").status()).isEqualTo(200);
    assertThat(
            api.put(
                    "/api/v1/namespaces/_/rules/rule",
                    "{\"trigger\":\"/_/trig\",\"action\":\"/_/safe\"}")
                .status())
        .isEqualTo(200);

    Map<String, Integer> safe = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      safe.put(
          api.post("/api/v1/namespaces/_/actions/safe", "{\"i\":" + i + "}")
              .body()
              .path("activationId")
              .asText(),
          i);
    }
    List<String> unsafe = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      unsafe.add(
          api.post("/api/v1/namespaces/_/actions/unsafe", "{}")
              .body()
              .path("activationId")
              .asText());
    }
    ApiClient.Answer blocking =
        api.post("/api/v1/namespaces/_/actions/pkg/inner?blocking=true&timeout=200", "{}");
    assertThat(blocking.status()).isEqualTo(202);
    String inner = blocking.body().path("activationId").asText();
    String fired =
        api.post("/api/v1/namespaces/_/triggers/trig", "{\"i\":100}")
            .body()
            .path("activationId")
            .asText();

    Process firstProcess = processes.get(0);
    firstProcess
        .destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no clean close of the store
    assertThat(firstProcess.waitFor(30, TimeUnit.SECONDS)).isTrue();

    String[] second = start("echo");
    assertThat(second[1]).as("recovery line").isEqualTo("recovered 12 3");
    ApiClient again = new ApiClient(second[0], Identity.GUEST.authKey());
    for (String path :
        List.of(
            "actions/safe",
            "actions/unsafe",
            "packages/pkg",
            "actions/pkg/inner",
            "triggers/trig",
            "rules/rule")) {
      assertThat(again.get("/api/v1/namespaces/_/" + path).status()).as(path).isEqualTo(200);
    }
    assertThat(
            again
                .get("/api/v1/namespaces/_/activations/" + fired)
                .body()
                .path("response")
                .path("success")
                .asBoolean())
        .isTrue();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        again
                            .get("/api/v1/namespaces/_/activations?count=true")
                            .body()
                            .path("activations")
                            .asInt())
                    .isEqualTo(10 + 3 + 1 + 1 + 1));
    safe.forEach(
        (id, i) -> {
          var record = again.get("/api/v1/namespaces/_/activations/" + id).body();
          assertThat(record.path("response").path("result").path("i").asInt()).isEqualTo(i);
        });
    for (String id : unsafe) {
      var response = again.get("/api/v1/namespaces/_/activations/" + id + "/result").body();
      assertThat(response.path("status").asText()).isEqualTo("whisk internal error");
      assertThat(response.path("result").path("error").asText()).contains("not retry-safe");
    }
    assertThat(
            again
                .get("/api/v1/namespaces/_/activations/" + inner)
                .body()
                .path("response")
                .path("result")
                .path("k")
                .asInt())
        .as("package parameters survive too")
        .isEqualTo(1);
  }

  @Test
  void aStoppedServerLeavesActivationsInFlightForTheNextStart() throws Exception {
    String[] first = start("hold");
    ApiClient api = new ApiClient(first[0], Identity.GUEST.authKey());
    assertThat(
            api.put(
                    "/api/v1/namespaces/_/actions/slow",
                    "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return p}\"}}")
                .status())
        .isEqualTo(200);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(
          api.post("/api/v1/namespaces/_/actions/slow", "{\"i\":" + i + "}")
              .body()
              .path("activationId")
              .asText());
    }
    Process firstProcess = processes.get(0);
    firstProcess
        .destroy(); // SIGTERM: the server drains for 1 s, then leaves what still runs pending
    assertThat(firstProcess.waitFor(30, TimeUnit.SECONDS)).isTrue();

    String[] second = start("echo");
    assertThat(second[1]).isEqualTo("recovered 3 0");
    ApiClient again = new ApiClient(second[0], Identity.GUEST.authKey());
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (String id : ids) {
                assertThat(
                        again
                            .get("/api/v1/namespaces/_/activations/" + id)
                            .body()
                            .path("response")
                            .path("status")
                            .asText())
                    .isEqualTo("success");
              }
            });
  }
}
