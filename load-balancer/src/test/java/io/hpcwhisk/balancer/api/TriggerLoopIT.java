package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule whose action fires its own trigger, run for real: a Node.js action in the local executor
 * fires the trigger over the HTTP API with its {@code __OW_API_KEY}. The chain stops at the
 * server's limit, the refused fire is recorded as a trigger activation with the reason, and every
 * record names its cause (trigger activation → action activation → trigger activation …).
 */
class TriggerLoopIT {

  private static final int DEPTH = 3;
  private static final String SELF_FIRING =
      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"async function main(p) { const auth = 'Basic '"
          + " + Buffer.from(process.env.__OW_API_KEY).toString('base64'); const r = await"
          + " fetch(process.env.__OW_API_HOST + '/api/v1/namespaces/_/triggers/again',   {method:"
          + " 'POST', headers: {Authorization: auth, 'Content-Type': 'application/json'},    body:"
          + " JSON.stringify({n: (p.n || 0) + 1})}); return {n: p.n || 0, status: r.status, answer:"
          + " await r.text()}; }\"},"
          + "\"annotations\":[{\"key\":\"provide-api-key\",\"value\":true}]}";

  @TempDir Path dir;

  @Test
  void aRuleWhoseActionFiresItsOwnTriggerStopsAtTheChainLimitWithARecordedReason()
      throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withExecutor("local")
                    .withDrainSeconds(0)
                    .withMaxChainDepth(DEPTH))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.toString()));
    try (WhiskServer server = WhiskServer.start(config, "test")) {
      ApiClient user =
          new ApiClient(
              "http://127.0.0.1:" + server.address().getPort(),
              server.identities().create("looper").authKey());
      assertThat(user.put("/api/v1/namespaces/_/actions/loop", SELF_FIRING).status())
          .isEqualTo(200);
      assertThat(user.put("/api/v1/namespaces/_/triggers/again", "{}").status()).isEqualTo(200);
      assertThat(
              user.put(
                      "/api/v1/namespaces/_/rules/r", "{\"trigger\":\"again\",\"action\":\"loop\"}")
                  .status())
          .isEqualTo(200);
      ApiClient.Answer fired = user.post("/api/v1/namespaces/_/triggers/again", "{\"n\":0}");
      assertThat(fired.status()).isEqualTo(202);
      String first = fired.body().path("activationId").asText();

      // the action of depth DEPTH is the last: its fire is refused, its record ends the chain
      List<JsonNode> records =
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> records(user),
                  all ->
                      all.stream()
                              .anyMatch(
                                  r ->
                                      r.path("name").asText().equals("loop")
                                          && r.path("response")
                                                  .path("result")
                                                  .path("status")
                                                  .asInt()
                                              == 429)
                          && named(all, "loop").size() >= DEPTH + 1
                          && named(all, "again").size() >= DEPTH + 2);
      List<JsonNode> actions = named(records, "loop");
      List<JsonNode> triggers = named(records, "again");
      assertThat(actions)
          .as("the action ran once per allowed depth, 0..%d", DEPTH)
          .hasSize(DEPTH + 1);
      assertThat(triggers).as("%d fires ran, one was refused", DEPTH + 1).hasSize(DEPTH + 2);
      List<JsonNode> refused =
          triggers.stream().filter(t -> !t.path("response").path("success").asBoolean()).toList();
      assertThat(refused)
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.path("response").path("result").path("error").asText())
                    .contains(
                        "at most " + DEPTH + " are allowed (api.max-chain-depth)",
                        "trigger or invoke loop");
                assertThat(t.path("logs").get(0).asText())
                    .contains("No rule of this trigger was run.");
              });
      JsonNode last =
          actions.stream()
              .filter(a -> a.path("response").path("result").path("status").asInt() == 429)
              .findFirst()
              .orElseThrow();
      assertThat(last.path("response").path("result").path("answer").asText())
          .as("the action that fired once too often got 429 with the reason and the record's id")
          .contains(
              "Recorded as trigger activation " + refused.get(0).path("activationId").asText());

      // the cause chain: fire (no cause) -> action -> fire -> action ... -> refused fire
      Map<String, JsonNode> byId = new HashMap<>();
      records.forEach(r -> byId.put(r.path("activationId").asText(), r));
      JsonNode at = refused.get(0);
      List<String> chain = new ArrayList<>();
      while (at != null) {
        chain.add(0, at.path("name").asText());
        at = at.hasNonNull("cause") ? byId.get(at.path("cause").asText()) : null;
      }
      assertThat(chain).as("from the refused fire back to the user's fire").hasSize(2 * DEPTH + 3);
      assertThat(chain.get(0)).isEqualTo("again");
      assertThat(byId.get(first).hasNonNull("cause"))
          .as("the user's own fire has no cause")
          .isFalse();
      // nothing runs afterwards: the last action's record was written after its refused fire
      assertThat(named(records(user), "loop")).hasSize(DEPTH + 1);
    }
  }

  @Test
  void anActionInvokingItselfStopsAtTheChainLimitWithARecordOfTheRefusedInvocation()
      throws Exception {
    int depth = 2;
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withExecutor("local")
                    .withDrainSeconds(0)
                    .withMaxChainDepth(depth))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.toString()));
    try (WhiskServer server = WhiskServer.start(config, "test")) {
      ApiClient user =
          new ApiClient(
              "http://127.0.0.1:" + server.address().getPort(),
              server.identities().create("recurser").authKey());
      assertThat(
              user.put(
                      "/api/v1/namespaces/_/actions/self",
                      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"async function main() { const"
                          + " auth = 'Basic ' +"
                          + " Buffer.from(process.env.__OW_API_KEY).toString('base64'); const r ="
                          + " await fetch(process.env.__OW_API_HOST +"
                          + " '/api/v1/namespaces/_/actions/self', {method: 'POST', headers:"
                          + " {Authorization: auth, 'Content-Type': 'application/json'}, body:"
                          + " '{}'}); return {status: r.status, answer: await r.text()}; }\"},"
                          + "\"annotations\":[{\"key\":\"provide-api-key\",\"value\":true}]}")
                  .status())
          .isEqualTo(200);
      assertThat(user.post("/api/v1/namespaces/_/actions/self", "{}").status()).isEqualTo(202);
      List<JsonNode> records =
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> records(user),
                  all ->
                      all.stream()
                              .anyMatch(
                                  r ->
                                      r.path("response").path("result").path("status").asInt()
                                          == 429)
                          && all.stream()
                                  .filter(r -> r.path("response").path("success").asBoolean())
                                  .count()
                              >= depth + 1);
      List<JsonNode> refused =
          records.stream().filter(r -> !r.path("response").path("success").asBoolean()).toList();
      assertThat(refused)
          .as("one record of the refused invocation")
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.path("name").asText()).isEqualTo("self");
                assertThat(r.path("response").path("result").path("error").asText())
                    .contains("at most " + depth + " are allowed (api.max-chain-depth)");
              });
      assertThat(
              records.stream().filter(r -> r.path("response").path("success").asBoolean()).count())
          .as("runs at depth 0..%d", depth)
          .isEqualTo(depth + 1);
      JsonNode last =
          records.stream()
              .filter(r -> r.path("response").path("result").path("status").asInt() == 429)
              .findFirst()
              .orElseThrow();
      assertThat(last.path("response").path("result").path("answer").asText())
          .contains("Recorded as activation " + refused.get(0).path("activationId").asText());
      assertThat(refused.get(0).path("cause").asText())
          .as("caused by the run whose key made the call")
          .isEqualTo(last.path("activationId").asText());
    }
  }

  private static List<JsonNode> records(ApiClient user) {
    JsonNode body = user.get("/api/v1/namespaces/_/activations?docs=true&limit=200").body();
    List<JsonNode> out = new ArrayList<>();
    body.forEach(out::add);
    return out;
  }

  private static List<JsonNode> named(List<JsonNode> records, String name) {
    return records.stream().filter(r -> r.path("name").asText().equals(name)).toList();
  }

  @Test
  void anActionsKeyIsItsActivationsOwnAndALeakedOneDiesWithTheActivation() throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT.api().withPort(0).withExecutor("local").withDrainSeconds(0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.toString()));
    try (WhiskServer server = WhiskServer.start(config, "test")) {
      String userKey = server.identities().create("leaky").authKey();
      ApiClient user = new ApiClient("http://127.0.0.1:" + server.address().getPort(), userKey);
      // a careless action that returns its key (as a log line or a result could leak it)
      assertThat(
              user.put(
                      "/api/v1/namespaces/_/actions/tell",
                      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"async function main() { const"
                          + " auth = 'Basic ' +"
                          + " Buffer.from(process.env.__OW_API_KEY).toString('base64'); const r ="
                          + " await fetch(process.env.__OW_API_HOST + '/api/v1/namespaces',"
                          + " {headers: {Authorization: auth}}); return {key:"
                          + " process.env.__OW_API_KEY, whileRunning: r.status}; }\"},"
                          + "\"annotations\":[{\"key\":\"provide-api-key\",\"value\":true}]}")
                  .status())
          .isEqualTo(200);
      ApiClient.Answer ran =
          user.post("/api/v1/namespaces/_/actions/tell?blocking=true&result=true", "{}");
      assertThat(ran.status()).as(ran.raw().body()).isEqualTo(200);
      String leaked = ran.body().path("key").asText();
      assertThat(ran.body().path("whileRunning").asInt())
          .as("the key works while its activation runs")
          .isEqualTo(200);
      assertThat(leaked)
          .matches("[0-9a-f-]{36}:[0-9A-Za-z]{64}")
          .startsWith(userKey.substring(0, 37))
          .as("never the user's own key")
          .isNotEqualTo(userKey);
      ApiClient.Answer after = user.as(leaked).get("/api/v1/namespaces/_/actions");
      assertThat(after.status()).as("the leaked key after its activation ended").isEqualTo(401);
      assertThat(after.body().path("error").asText())
          .isEqualTo("The supplied authentication is invalid.");
      assertThat(user.get("/api/v1/namespaces/_/actions").status()).isEqualTo(200);
      String metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .as("the refused key is counted")
          .containsPattern(
              "whisk_http_requests_seconds_count\\{[^}]*route=\"/api/v1/namespaces/\\{ns\\}/actions\"[^}]*status=\"401\"");
      assertThat(metrics).as("and never shown").doesNotContain(leaked.substring(37));
    }
  }
}
