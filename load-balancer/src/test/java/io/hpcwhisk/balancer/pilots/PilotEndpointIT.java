package io.hpcwhisk.balancer.pilots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server with {@code api.executor: pilots} and a real pilot (in this JVM, over a real
 * WebSocket): registration with a job-scoped credential and refusal without one, a blocking
 * invocation run on the pilot, and the Prometheus text on {@code /metrics}.
 */
class PilotEndpointIT {

  @TempDir Path dir;
  WhiskServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private ServerConfig config() {
    return ServerConfig.DEFAULT
        .withApi(
            ServerConfig.DEFAULT
                .api()
                .withPort(0)
                .withGuest(true)
                .withExecutor("pilots")
                .withDrainSeconds(1))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()))
        // the pilots here run in this JVM, not as Slurm jobs: explicitly unverified
        .withPilots(ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null));
  }

  private CompletableFuture<Integer> startPilot(String job, String token) {
    PilotIdentity identity =
        new PilotIdentity(job, "n1", 2, 1024, Instant.now(), Instant.now().plusSeconds(600), null);
    ActionRuntimes runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(dir.resolve("rt-" + job), 1024)
                .withSandbox(RuntimeConfig.Sandbox.OFF)
                .withUnsandboxedNamespace("guest"));
    runtimesOf.put(job, runtimes);
    InvokerPilot pilot =
        new InvokerPilot(
            identity,
            PilotSettings.of(URI.create(server.pilotUrl()), token, dir.resolve("w-" + job))
                .withSandbox(RuntimeConfig.Sandbox.OFF),
            runtimes,
            "test");
    return CompletableFuture.supplyAsync(pilot::run);
  }

  private final Map<String, ActionRuntimes> runtimesOf = new ConcurrentHashMap<>();

  private String metrics() throws Exception {
    var http = HttpClient.newHttpClient();
    var request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void aPilotWithAValidCredentialRunsInvocationsAndOneWithoutIsRefused() throws Exception {
    ServerConfig config = config();
    server = WhiskServer.start(config, "test");
    PilotCredentials credentials = WhiskServer.pilotCredentials(config);
    CompletableFuture<Integer> intruder =
        startPilot("66", credentials.forJob("67", Instant.now().plusSeconds(3600)));
    assertThat(intruder.get(30, TimeUnit.SECONDS)).isEqualTo(InvokerPilot.EXIT_REFUSED);

    startPilot("77", credentials.forJob("77", Instant.now().plusSeconds(3600)));
    PilotDispatcher dispatcher = (PilotDispatcher) server.dispatcher();
    await().atMost(Duration.ofSeconds(20)).until(() -> dispatcher.snapshot().pilots() == 1);

    ApiClient api =
        new ApiClient("http://127.0.0.1:" + server.address().getPort(), Identity.GUEST.authKey());
    assertThat(
            api.put(
                    "/api/v1/namespaces/_/actions/hello",
                    "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":"
                        + "\"function main(p){return {greeting: 'hello ' + p.name}}\"}}")
                .status())
        .isEqualTo(200);
    ApiClient.Answer answer =
        api.post("/api/v1/namespaces/_/actions/hello?blocking=true", "{\"name\":\"pilot\"}");
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    assertThat(answer.body().path("response").path("result").path("greeting").asText())
        .isEqualTo("hello pilot");
    ApiClient.Answer warm =
        api.post("/api/v1/namespaces/_/actions/hello?blocking=true", "{\"name\":\"again\"}");
    assertThat(warm.body().toString()).doesNotContain("initTime");

    String metrics = metrics();
    assertThat(metrics)
        .contains("whisk_pilots{health=\"healthy\"} 1.0")
        .contains("whisk_activations_total{outcome=\"success\"} 2.0")
        .contains(
            "whisk_http_requests_seconds_count{method=\"POST\",route=\"/api/v1/namespaces/{ns}/actions/{name}\",status=\"200\"}"
                + " 2")
        .contains("whisk_activation_overhead_seconds_bucket")
        .contains("whisk_queue_length");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> metrics().contains("whisk_pilot_warm_starts_total{pilot=\"slurm-77\"} 1.0"));

    // deleting the action removes its idle runtime on the pilot too (the balancer's 'forget')
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !runtimesOf.get("77").stats().warmByVersion().isEmpty());
    assertThat(api.delete("/api/v1/namespaces/_/actions/hello").status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> runtimesOf.get("77").stats().warmByVersion().isEmpty());
  }
}
