package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.DeviceRequest;
import io.hpcwhisk.balancer.invoke.ActivationDispatcher;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code limits.cpu} and the annotation {@code gpus} over real HTTP, as a hostile API user sends
 * them: bad values and values above the largest pilot (2 cores, 2 GPUs here) are 400 naming the
 * value and what was expected, and nothing is stored; good ones reach the dispatcher.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceLimitsHttpIT {

  private static final String CODE =
      "\"exec\":{\"kind\":\"nodejs:default\",\"code\":\"function main(p){return p}\"}";

  @TempDir static Path dir;
  private WhiskServer server;
  private final FakeDispatcher fake = new FakeDispatcher();
  private ApiClient guest;

  /** The fake, with pilots of 2 cores and 2 GPUs seen. */
  private final class TwoAndTwo implements ActivationDispatcher {
    @Override
    public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
      return fake.dispatch(request);
    }

    @Override
    public String description() {
      return fake.description();
    }

    @Override
    public DeviceRequest.Largest largestPilot() {
      return new DeviceRequest.Largest(2, 2);
    }
  }

  @BeforeAll
  void start() throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                new ServerConfig.Api("127.0.0.1", 0, true, "none", 2, 2048L, 300, 50, 50, null, 0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.toString()));
    server = WhiskServer.start(config, (clock, host) -> new TwoAndTwo(), "test");
    guest =
        new ApiClient("http://127.0.0.1:" + server.address().getPort(), Identity.GUEST.authKey());
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
    fake.close();
  }

  private void refused(String name, String body, String... message) {
    ApiClient.Answer a = guest.put("/api/v1/namespaces/_/actions/" + name, "{" + body + "}");
    assertThat(a.status()).as(a.raw().body()).isEqualTo(400);
    assertThat(a.error()).contains(message);
    assertThat(a.raw().body()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(guest.get("/api/v1/namespaces/_/actions/" + name).status())
        .as("nothing stored")
        .isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1"})
  void aCpuBelowOneIsRefused(String cpu) {
    refused(
        "cpu" + cpu.replace("-", "m"),
        CODE + ",\"limits\":{\"cpu\":" + cpu + "}",
        "cpu " + cpu,
        "between 1 and");
  }

  @Test
  void aCpuThatIsNoWholeNumberIsRefused() {
    refused("cpu-e9", CODE + ",\"limits\":{\"cpu\":1e9}", "limits.cpu must be an integer", "1.0E9");
    refused(
        "cpu-two",
        CODE + ",\"limits\":{\"cpu\":\"two\"}",
        "limits.cpu must be an integer",
        "\"two\"");
  }

  @Test
  void aCpuAboveTheLargestPilotIsRefusedNamingTheMaximum() {
    refused("cpu3", CODE + ",\"limits\":{\"cpu\":3}", "limits.cpu 3", "the maximum is 2 cores");
  }

  @Test
  void badGpuAnnotationsAreRefused() {
    refused(
        "gpu-neg",
        CODE + ",\"annotations\":[{\"key\":\"gpus\",\"value\":-1}]",
        "annotation gpus must be a whole number of GPUs, 0 or more, not -1");
    refused(
        "gpu-all", CODE + ",\"annotations\":[{\"key\":\"gpus\",\"value\":\"all\"}]", "not \"all\"");
    refused(
        "gpu-1000",
        CODE + ",\"annotations\":[{\"key\":\"gpus\",\"value\":1000}]",
        "asks for 1000 GPUs; the maximum is 64");
    refused(
        "gpu-3",
        CODE + ",\"annotations\":[{\"key\":\"gpus\",\"value\":3}]",
        "asks for 3 GPUs, more than any GPU pilot holds: the maximum is 2 GPUs");
  }

  @Test
  void coresAndGpusWithinTheMaximumReachTheDispatcher() {
    ApiClient.Answer created =
        guest.put(
            "/api/v1/namespaces/_/actions/both",
            "{"
                + CODE
                + ",\"limits\":{\"cpu\":2},\"annotations\":[{\"key\":\"gpus\",\"value\":1}]}");
    assertThat(created.status()).as(created.raw().body()).isEqualTo(200);
    assertThat(created.body().path("limits").path("cpu").asInt()).isEqualTo(2);
    assertThat(guest.post("/api/v1/namespaces/_/actions/both?blocking=true", "{}").status())
        .isEqualTo(200);
    RunRequest sent =
        fake.requests.stream()
            .filter(r -> r.action().name().equals("both"))
            .findFirst()
            .orElseThrow();
    assertThat(sent.limits().cores()).isEqualTo(2);
    assertThat(sent.gpus()).isEqualTo(1);

    ApiClient.Answer plain = guest.put("/api/v1/namespaces/_/actions/plain", "{" + CODE + "}");
    assertThat(plain.body().path("limits").has("cpu"))
        .as("an action without limits.cpu keeps OpenWhisk's limits")
        .isFalse();
  }
}
