package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.configuration.ConfigException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The administrator's maximum action timeout ({@code api.max-action-timeout-seconds}) over the real
 * HTTP API: a hostile API user's {@code limits.timeout} of 0, -1, 1e12, "1h" or just above the
 * maximum is a 400 with OpenWhisk's {@code {"error","code"}} body naming the value and the range,
 * and nothing is stored; the maximum itself is accepted and shown by {@code GET /}.
 */
class ActionTimeoutLimitIT {

  @TempDir Path dir;
  private WhiskServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String auth =
      "Basic "
          + Base64.getEncoder()
              .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8));

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private int start(int maxSeconds) throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withExecutor("none")
                    .withDrainSeconds(0)
                    .withMaxActionTimeoutSeconds(maxSeconds))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()));
    server = WhiskServer.start(config, "test");
    return server.address().getPort();
  }

  private HttpResponse<String> call(int port, String method, String path, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
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

  private static String action(String timeout) {
    return "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return {}}\"},"
        + "\"limits\":{\"timeout\":"
        + timeout
        + "}}";
  }

  @ParameterizedTest(name = "limits.timeout {0} → 400 naming {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0 | duration 0 milliseconds below allowed threshold of 100 milliseconds",
        "-1 | duration -1 milliseconds below allowed threshold of 100 milliseconds",
        "1e12 | not 1.0E12",
        "1000000000000 | not 1000000000000",
        "\"1h\" | not \"1h\"",
        "3600001 | duration 3600001 milliseconds exceeds allowed threshold of 3600000 milliseconds",
        "3600000.5 | not 3600000.5"
      })
  void aHostileTimeoutIsRefusedNamingTheValueAndTheRangeAndNothingIsStored(
      String timeout, String naming) throws Exception {
    int port = start(3600);
    HttpResponse<String> r =
        call(port, "PUT", "/api/v1/namespaces/_/actions/hostile", action(timeout));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertThat(body.path("code").isTextual()).as(r.body()).isTrue();
    String error = body.path("error").asText();
    assertThat(error)
        .contains(naming)
        .contains("between 100 and 3600000")
        .contains("api.max-action-timeout-seconds")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(call(port, "GET", "/api/v1/namespaces/_/actions/hostile", null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void theMaximumItselfIsAcceptedAndShownAndAnUpdateAboveItLeavesTheActionAsItWas()
      throws Exception {
    int port = start(3600);
    HttpResponse<String> ok =
        call(port, "PUT", "/api/v1/namespaces/_/actions/long", action("3600000"));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(ok.body()).path("limits").path("timeout").asLong())
        .isEqualTo(3_600_000);
    HttpResponse<String> above =
        call(port, "PUT", "/api/v1/namespaces/_/actions/long?overwrite=true", action("3600001"));
    assertThat(above.statusCode()).isEqualTo(400);
    JsonNode stored =
        Json.MAPPER.readTree(call(port, "GET", "/api/v1/namespaces/_/actions/long", null).body());
    assertThat(stored.path("version").asText()).isEqualTo("0.0.1");
    assertThat(stored.path("limits").path("timeout").asLong()).isEqualTo(3_600_000);
    JsonNode root = Json.MAPPER.readTree(call(port, "GET", "/", null).body());
    assertThat(root.path("limits").path("max_action_duration").asLong()).isEqualTo(3_600_000);
    JsonNode limits =
        Json.MAPPER.readTree(call(port, "GET", "/api/v1/namespaces/guest/limits", null).body());
    assertThat(limits.path("maxActionTimeout").asLong()).isEqualTo(3_600_000);
  }

  @Test
  void byDefaultTheMaximumIsOpenWhisksFiveMinutes() throws Exception {
    int port = start(ServerConfig.DEFAULT.api().maxActionTimeoutSeconds());
    assertThat(call(port, "PUT", "/api/v1/namespaces/_/actions/a", action("300000")).statusCode())
        .isEqualTo(200);
    HttpResponse<String> r = call(port, "PUT", "/api/v1/namespaces/_/actions/b", action("300001"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body())
        .contains("duration 300001 milliseconds exceeds allowed threshold of 300000 milliseconds");
  }

  @Test
  void theConfigurationKeyIsCheckedNamingIt() {
    assertThat(ServerConfig.parse("api:\n  max-action-timeout-seconds: 7200\n").api())
        .extracting(ServerConfig.Api::maxActionTimeoutSeconds)
        .isEqualTo(7200);
    assertThatThrownBy(() -> ServerConfig.parse("api:\n  max-action-timeout-seconds: 0\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("api.max-action-timeout-seconds");
    assertThatThrownBy(() -> ServerConfig.parse("api:\n  max-action-timeout-seconds: 1209601\n"))
        .hasMessageContaining("api.max-action-timeout-seconds");
  }
}
