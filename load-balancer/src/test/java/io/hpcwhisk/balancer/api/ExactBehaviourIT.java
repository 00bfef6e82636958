package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenWhisk's exact behaviour where clients notice it, against a real server with the local runtime
 * executor (real node runtimes): actions without code, the {@code /whisk.system/utils} actions with
 * missing or odd parameters (expected outputs from the openwhisk-catalog's actions and tests), the
 * namespace summary, activation listing, concurrency limits and conductor actions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExactBehaviourIT {

  @TempDir static Path dir;
  private WhiskServer server;
  private ApiClient guest;
  private ApiClient bob;

  @BeforeAll
  void start() throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                new ServerConfig.Api(
                    "127.0.0.1", 0, true, "local", 60, 1_048_576L, 600_000, 1000, 5, 2048, 0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()));
    server = WhiskServer.start(config, "exact");
    String base = "http://127.0.0.1:" + server.address().getPort();
    guest = new ApiClient(base, Identity.GUEST.authKey());
    bob = guest.as(server.identities().create("bob").authKey());
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private static void assertError(ApiClient.Answer a, int status, String message) {
    assertThat(a.status()).as(a.raw().body()).isEqualTo(status);
    assertThat(a.error()).contains(message);
    assertThat(a.raw().body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private JsonNode invoke(String path, String params) {
    ApiClient.Answer a = guest.post(path + "?blocking=true", params);
    assertThat(a.status()).as(a.raw().body()).isIn(200, 502);
    return a.body();
  }

  // 1. actions without code

  @Test
  void anActionWithEmptyCodeIsStoredAndItsInvocationIsOpenWhisksDeveloperError() {
    for (String kind : new String[] {"nodejs:default", "python:3", "java"}) {
      String name = "empty-" + kind.replace(':', '-');
      ApiClient.Answer created =
          guest.put(
              "/api/v1/namespaces/_/actions/" + name,
              "{\"exec\":{\"kind\":\"" + kind + "\",\"code\":\"\"}}");
      assertThat(created.status()).as(created.raw().body()).isEqualTo(200);
      assertThat(created.body().path("exec").path("code").asText("absent")).isEmpty();
      ApiClient.Answer run =
          guest.post("/api/v1/namespaces/_/actions/" + name + "?blocking=true", "{}");
      assertThat(run.status()).as(run.raw().body()).isEqualTo(502);
      assertThat(run.body().path("response").path("status").asText())
          .isEqualTo("action developer error");
      assertThat(run.body().path("response").path("result").path("error").asText())
          .isEqualTo("Missing main/no code to execute.");
      // an update with code makes it runnable
      assertThat(
              guest
                  .put(
                      "/api/v1/namespaces/_/actions/" + name + "?overwrite=true",
                      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return"
                          + " {ok:true}}\"}}")
                  .status())
          .isEqualTo(200);
      assertThat(
              invoke("/api/v1/namespaces/_/actions/" + name, "{}")
                  .path("response")
                  .path("result")
                  .path("ok")
                  .asBoolean())
          .isTrue();
    }
  }

  @Test
  void emptyCodeWhereNothingCouldRunIsRefusedWithTheReason() {
    assertError(
        guest.put(
            "/api/v1/namespaces/_/actions/empty-blackbox",
            "{\"exec\":{\"kind\":\"blackbox\",\"code\":\"\"}}"),
        400,
        "'exec.code' is required for a blackbox action");
    assertError(
        guest.put("/api/v1/namespaces/_/actions/no-code", "{\"exec\":{\"kind\":\"nodejs:20\"}}"),
        400,
        "'exec.code' is required");
    assertThat(guest.get("/api/v1/namespaces/_/actions/empty-blackbox").status()).isEqualTo(404);
  }

  // 2. /whisk.system/utils as the openwhisk-catalog's actions (expected outputs from its code and
  // its UtilsTests)

  private JsonNode util(String action, String params) {
    return invoke("/api/v1/namespaces/whisk.system/actions/utils/" + action, params)
        .path("response");
  }

  private static String result(JsonNode response) {
    return response.path("result").toString();
  }

  @Test
  void sortWithoutLinesIsEmptyAndSortsAsStrings() {
    assertThat(result(util("sort", "{}"))).isEqualTo("{\"lines\":[],\"length\":0}");
    assertThat(result(util("sort", "{\"lines\":[\"seven\",\"eight\",\"nine\"]}")))
        .isEqualTo("{\"lines\":[\"eight\",\"nine\",\"seven\"],\"length\":3}");
    assertThat(result(util("sort", "{\"lines\":[10,9,4]}")))
        .as("JavaScript's default sort compares as strings")
        .isEqualTo("{\"lines\":[10,4,9],\"length\":3}");
  }

  @Test
  void catWithoutLinesIsAnEmptyPayload() {
    assertThat(result(util("cat", "{}"))).isEqualTo("{\"lines\":[],\"payload\":\"\"}");
    assertThat(result(util("cat", "{\"lines\":[\"seven\",\"eight\",\"nine\"]}")))
        .isEqualTo(
            "{\"lines\":[\"seven\",\"eight\",\"nine\"],\"payload\":\"seven\\neight\\nnine\"}");
    JsonNode notAnArray = util("cat", "{\"lines\":5}");
    // the catalog's action throws here: a developer error, as in OpenWhisk's nodejs runtime
    assertThat(notAnArray.path("status").asText()).isEqualTo("action developer error");
    assertThat(notAnArray.path("result").path("error").asText())
        .startsWith("An error has occurred");
  }

  @Test
  void headDefaultsToOneLineAndEchoesNum() {
    assertThat(result(util("head", "{}"))).isEqualTo("{\"lines\":[],\"num\":1}");
    assertThat(result(util("head", "{\"lines\":[\"seven\",\"eight\",\"nine\"]}")))
        .isEqualTo("{\"lines\":[\"seven\"],\"num\":1}");
    assertThat(result(util("head", "{\"lines\":[\"seven\",\"eight\",\"nine\"],\"num\":2}")))
        .isEqualTo("{\"lines\":[\"seven\",\"eight\"],\"num\":2}");
    assertThat(result(util("head", "{\"lines\":[1,2],\"num\":0}")))
        .as("num 0 is falsy in the catalog's action: 1")
        .isEqualTo("{\"lines\":[1],\"num\":1}");
  }

  @Test
  void splitNeedsAPayloadAndSplitsAtLineBreaksByDefault() {
    assertThat(result(util("split", "{\"payload\":\"seven,eight,nine\",\"separator\":\",\"}")))
        .isEqualTo("{\"lines\":[\"seven\",\"eight\",\"nine\"],\"payload\":\"seven,eight,nine\"}");
    assertThat(result(util("split", "{\"payload\":\"a\\r\\nb\\nc\"}")))
        .isEqualTo("{\"lines\":[\"a\",\"b\",\"c\"],\"payload\":\"a\\r\\nb\\nc\"}");
    assertThat(result(util("split", "{\"payload\":42}")))
        .isEqualTo("{\"lines\":[\"42\"],\"payload\":42}");
    JsonNode missing = util("split", "{}");
    assertThat(missing.path("status").asText()).isEqualTo("action developer error");
    assertThat(missing.path("result").path("error").asText()).startsWith("An error has occurred");
  }

  @Test
  void echoReturnsItsParameters() {
    assertThat(result(util("echo", "{}"))).isEqualTo("{}");
    assertThat(result(util("echo", "{\"payload\":\"Five fuzzy felines\"}")))
        .isEqualTo("{\"payload\":\"Five fuzzy felines\"}");
  }

  @Test
  void dateIsAnIsoTimestamp() {
    assertThat(util("date", "{}").path("result").path("date").asText())
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
  }

  @Test
  void namespaceIsTheCallers() {
    assertThat(result(util("namespace", "{}"))).isEqualTo("{\"namespace\":\"guest\"}");
    JsonNode bobs =
        bob.post("/api/v1/namespaces/whisk.system/actions/utils/namespace?blocking=true", "{}")
            .body();
    assertThat(bobs.path("response").path("result").toString())
        .isEqualTo("{\"namespace\":\"bob\"}");
  }

  @Test
  void smashNestsEverythingUnderTheFieldName() {
    assertThat(
            result(util("smash", "{\"$fieldName\":\"x\",\"a\":1,\"b\":2,\"c\":{\"d\":3,\"e\":4}}")))
        .isEqualTo("{\"x\":{\"a\":1,\"b\":2,\"c\":{\"d\":3,\"e\":4}}}");
    assertThat(result(util("smash", "{\"$fieldName\":\"x\"}"))).isEqualTo("{\"x\":{}}");
    JsonNode none = util("smash", "{}");
    assertThat(result(none))
        .isEqualTo("{\"error\":\"Expected an argument '$fieldName' of type 'string'.\"}");
    assertThat(none.path("status").asText()).isEqualTo("application error");
  }

  @Test
  void hosturlBuildsTheCatalogsUrls() {
    String base = "http://127.0.0.1:" + server.address().getPort();
    String[][] cases = {
      {"{}", base + "/api/v1/namespaces/guest/actions"},
      {"{\"path\":\"echo\"}", base + "/api/v1/namespaces/guest/actions/echo"},
      {"{\"path\":\"utils/echo\"}", base + "/api/v1/namespaces/guest/actions/utils/echo"},
      {"{\"trigger\":true,\"path\":\"echo\"}", base + "/api/v1/namespaces/guest/triggers/echo"},
      {"{\"web\":true}", base + "/api/v1/web/guest"},
      {
        "{\"web\":true,\"path\":\"echo\",\"ext\":\".text\"}",
        base + "/api/v1/web/guest/default/echo.text"
      },
      {"{\"web\":true,\"path\":\"utils/echo\"}", base + "/api/v1/web/guest/utils/echo"},
    };
    for (String[] c : cases) {
      assertThat(util("hosturl", c[0]).path("result").path("url").asText())
          .as(c[0])
          .isEqualTo(c[1]);
    }
    assertThat(result(util("hosturl", "{\"web\":true,\"trigger\":true}")))
        .contains("triggers are not allowed for web actions.");
    assertThat(result(util("hosturl", "{\"web\":true,\"path\":\"x\",\"ext\":\".exe\"}")))
        .contains("extension for web action must be one of");
    assertThat(result(util("hosturl", "{\"trigger\":true,\"path\":\"p/t\"}")))
        .contains("triggers are not allowed in packages.");
  }

  @Test
  void everyUtilsActionIsInstalled() {
    JsonNode listed = guest.get("/api/v1/namespaces/whisk.system/actions/utils/").body();
    List<String> names = new ArrayList<>();
    listed.forEach(a -> names.add(a.path("name").asText()));
    assertThat(names)
        .containsExactlyInAnyOrder(
            "echo", "cat", "sort", "head", "split", "date", "namespace", "hosturl", "smash");
  }

  // 4. the namespace summary

  @Test
  void theNamespaceSummaryGroupsTheEntitiesAsOpenWhisk() {
    ApiClient carol = guest.as(server.identities().create("carol").authKey());
    assertThat(carol.get("/api/v1/namespaces/carol").body().toString())
        .isEqualTo("{\"actions\":[],\"packages\":[],\"rules\":[],\"triggers\":[]}");
    String node = "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return {}}\"}}";
    assertThat(carol.put("/api/v1/namespaces/_/actions/a1", node).status()).isEqualTo(200);
    assertThat(carol.put("/api/v1/namespaces/_/packages/p1", "{}").status()).isEqualTo(200);
    assertThat(carol.put("/api/v1/namespaces/_/triggers/t1", "{}").status()).isEqualTo(200);
    assertThat(
            carol
                .put(
                    "/api/v1/namespaces/_/rules/r1", "{\"trigger\":\"/_/t1\",\"action\":\"/_/a1\"}")
                .status())
        .isEqualTo(200);
    for (String path : new String[] {"/api/v1/namespaces/carol", "/api/v1/namespaces/_/"}) {
      JsonNode summary = carol.get(path).body();
      assertThat(summary.path("actions").get(0).path("name").asText()).isEqualTo("a1");
      assertThat(summary.path("actions").get(0).path("exec").has("code"))
          .as("the summary lists, it does not carry code")
          .isFalse();
      assertThat(summary.path("packages").get(0).path("name").asText()).isEqualTo("p1");
      assertThat(summary.path("triggers").get(0).path("name").asText()).isEqualTo("t1");
      assertThat(summary.path("rules").get(0).path("name").asText()).isEqualTo("r1");
    }
  }

  @Test
  void anotherNamespacesSummaryIs403AndWritesAre405() {
    ApiClient dave = guest.as(server.identities().create("dave").authKey());
    assertError(dave.get("/api/v1/namespaces/guest"), 403, "not authorized");
    assertError(dave.get("/api/v1/namespaces/whisk.system"), 403, "not authorized");
    assertError(dave.get("/api/v1/namespaces/nobody-has-this"), 403, "not authorized");
    assertError(dave.delete("/api/v1/namespaces/dave"), 405, "supported methods: GET");
    assertError(dave.put("/api/v1/namespaces/dave", "{}"), 405, "supported methods: GET");
    assertError(dave.get("/api/v1/namespaces/bad%21ns"), 400, "illegal characters");
    assertThat(dave.get("/api/v1/namespaces").body().toString()).isEqualTo("[\"dave\"]");
  }

  // 5. activation listing

  @Test
  void activationListingPagesCountsAndFiltersAsOpenWhisk() {
    ApiClient erin = guest.as(server.identities().create("erin").authKey());
    String node = "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(p){return p}\"}}";
    assertThat(erin.put("/api/v1/namespaces/_/actions/one", node).status()).isEqualTo(200);
    assertThat(erin.put("/api/v1/namespaces/_/packages/pk", "{}").status()).isEqualTo(200);
    assertThat(erin.put("/api/v1/namespaces/_/actions/pk/one", node).status()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(
          erin.post("/api/v1/namespaces/_/actions/one?blocking=true", "{\"i\":" + i + "}")
              .body()
              .path("activationId")
              .asText());
    }
    ids.add(
        erin.post("/api/v1/namespaces/_/actions/pk/one?blocking=true", "{}")
            .body()
            .path("activationId")
            .asText());
    JsonNode all = erin.get("/api/v1/namespaces/_/activations").body();
    assertThat(all.size()).isEqualTo(4);
    List<String> newestFirst = new ArrayList<>(ids);
    Collections.reverse(newestFirst);
    List<String> listed = new ArrayList<>();
    all.forEach(a -> listed.add(a.path("activationId").asText()));
    assertThat(listed).isEqualTo(newestFirst);
    assertThat(all.get(0).has("response")).as("the list view has no response").isFalse();
    assertThat(all.get(0).path("statusCode").asInt()).isZero();
    // skip and limit page through the same order
    JsonNode page = erin.get("/api/v1/namespaces/_/activations?skip=1&limit=2").body();
    assertThat(page.size()).isEqualTo(2);
    assertThat(page.get(0).path("activationId").asText()).isEqualTo(newestFirst.get(1));
    assertThat(page.get(1).path("activationId").asText()).isEqualTo(newestFirst.get(2));
    // count, with skip as OpenWhisk counts it
    assertThat(erin.get("/api/v1/namespaces/_/activations?count=true").body().toString())
        .isEqualTo("{\"activations\":4}");
    assertThat(erin.get("/api/v1/namespaces/_/activations?count=true&skip=3").body().toString())
        .isEqualTo("{\"activations\":1}");
    assertThat(erin.get("/api/v1/namespaces/_/activations?count=true&skip=99").body().toString())
        .isEqualTo("{\"activations\":0}");
    assertThat(erin.get("/api/v1/namespaces/_/activations?count=true&name=one").body().toString())
        .isEqualTo("{\"activations\":4}");
    assertThat(
            erin.get("/api/v1/namespaces/_/activations?count=true&name=pk/one").body().toString())
        .isEqualTo("{\"activations\":1}");
    // docs=true carries the records with their results
    JsonNode docs =
        erin.get("/api/v1/namespaces/_/activations?docs=true&limit=1&name=pk/one").body();
    assertThat(docs.get(0).path("activationId").asText()).isEqualTo(ids.get(3));
    assertThat(docs.get(0).path("response").path("success").asBoolean()).isTrue();
    // since/upto in epoch milliseconds, inclusive: what wsk activation poll asks for
    JsonNode newest = erin.get("/api/v1/namespaces/_/activations/" + ids.get(3)).body();
    long start = newest.path("start").asLong();
    JsonNode since = erin.get("/api/v1/namespaces/_/activations?since=" + start).body();
    assertThat(since.size()).isGreaterThanOrEqualTo(1);
    assertThat(since.get(0).path("activationId").asText()).isEqualTo(ids.get(3));
    assertThat(erin.get("/api/v1/namespaces/_/activations?since=" + (start + 1)).body().size())
        .isZero();
    JsonNode oldest = erin.get("/api/v1/namespaces/_/activations/" + ids.get(0)).body();
    JsonNode upto =
        erin.get("/api/v1/namespaces/_/activations?upto=" + oldest.path("start").asLong()).body();
    assertThat(upto.get(upto.size() - 1).path("activationId").asText()).isEqualTo(ids.get(0));
    assertThat(
            erin.get("/api/v1/namespaces/_/activations?since=" + (start + 1) + "&upto=" + start)
                .body()
                .size())
        .as("since after upto: nothing")
        .isZero();
    // action get without code (the basis of wsk action get --url, which the CLI builds itself)
    assertThat(
            erin.get("/api/v1/namespaces/_/actions/one?code=false").body().path("exec").has("code"))
        .isFalse();
  }

  @Test
  void absurdListingParametersAre400NamingTheValueAndTheRange() {
    String[][] cases = {
      {"limit=201", "The value '201' is not in the range of 0 to 200 for activations."},
      {"limit=-1", "The value '-1' is not in the range of 0 to 200 for activations."},
      {
        "limit=99999999999999999999",
        "'99999999999999999999' is not an integer for activations (expected limit from 0 to 200)"
      },
      {"skip=-5", "The value '-5' is not greater than or equal to 0 for activations."},
      {"skip=1e9", "'1e9' is not an integer for activations (expected skip from 0 to 2147483647)"},
      {
        "since=yesterday",
        "Parameter is not a valid value for epoch seconds: yesterday ('since' takes milliseconds"
            + " since 1970-01-01 UTC"
      },
      {
        "upto=1e30",
        "Parameter is not a valid value for epoch seconds: 1e30 ('upto' takes milliseconds"
      },
      {"since=99999999999999999999999", "epoch seconds: 99999999999999999999999"},
      {"count=maybe", "The value 'maybe' of parameter 'count' is not a boolean"},
      {"count=true&docs=true", "The parameter 'docs' is not permitted with 'count'."},
      {"name=a/b/c", "Parameter may be a 'simple' name or 'package-name/simple' name: a/b/c"},
      {"name=%00", "Parameter may be a 'simple' name or 'package-name/simple' name"},
    };
    for (String[] c : cases) {
      assertError(guest.get("/api/v1/namespaces/_/activations?" + c[0]), 400, c[1]);
    }
    assertThat(guest.get("/api/v1/namespaces/_/activations?since=-9223372036854775808").status())
        .as("any long is a valid instant")
        .isEqualTo(200);
    assertThat(guest.get("/api/v1/namespaces/_/activations?skip=2147483647").body().size())
        .isZero();
    assertError(bob.get("/api/v1/namespaces/guest/activations?count=true"), 403, "not authorized");
  }

  // 6. concurrency

  @Test
  void concurrencyAboveOneIs400NamingTheValueAndTheMaximum() {
    for (String c : new String[] {"2", "500", "1000"}) {
      assertError(
          guest.put(
              "/api/v1/namespaces/_/actions/conc" + c,
              "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return {}}\"},"
                  + "\"limits\":{\"concurrency\":"
                  + c
                  + "}}"),
          400,
          "concurrency " + c + " exceeds allowed threshold of 1");
      assertThat(guest.get("/api/v1/namespaces/_/actions/conc" + c).status()).isEqualTo(404);
    }
    assertThat(
            guest
                .put(
                    "/api/v1/namespaces/_/actions/conc1",
                    "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return {}}\"},"
                        + "\"limits\":{\"concurrency\":1}}")
                .status())
        .isEqualTo(200);
    assertThat(guest.get("/api/v1/namespaces/_/limits").body().path("maxActionConcurrency").asInt())
        .isEqualTo(1);
  }

  // 7. conductor actions (OpenWhisk's docs/conductors.md)

  private void action(ApiClient who, String name, String code, String annotations) {
    String body =
        "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":"
            + Json.tree(code)
            + "},\"annotations\":"
            + annotations
            + "}";
    ApiClient.Answer a = who.put("/api/v1/namespaces/_/actions/" + name + "?overwrite=true", body);
    assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
  }

  private void conductor(String name, String code) {
    action(guest, name, code, "[{\"key\":\"conductor\",\"value\":true}]");
  }

  private JsonNode record(String id) {
    return guest.get("/api/v1/namespaces/_/activations/" + id).body();
  }

  @Test
  void aConductorRunsItsComponentsAndIsRecordedAsOpenWhisk() {
    action(guest, "triple", "function main({ value }) { return { value: value * 3 } }", "[]");
    action(guest, "increment", "function main({ value }) { return { value: value + 1 } }", "[]");
    conductor(
        "tripleAndIncrement",
        "function main(params) { let step = params.$step || 0; delete params.$step;"
            + " switch (step) {"
            + " case 0: return { action: 'triple', params, state: { $step: 1 } };"
            + " case 1: return { action: 'increment', params, state: { $step: 2 } };"
            + " case 2: return { params } } }");
    ApiClient.Answer run =
        guest.post(
            "/api/v1/namespaces/_/actions/tripleAndIncrement?blocking=true", "{\"value\":3}");
    assertThat(run.status()).as(run.raw().body()).isEqualTo(200);
    JsonNode primary = run.body();
    assertThat(primary.path("response").path("result").toString()).isEqualTo("{\"value\":10}");
    JsonNode logs = primary.path("logs");
    assertThat(logs.size()).as("secondary, triple, secondary, increment, secondary").isEqualTo(5);
    String[] names = {
      "tripleAndIncrement", "triple", "tripleAndIncrement", "increment", "tripleAndIncrement"
    };
    long sum = 0;
    for (int i = 0; i < 5; i++) {
      JsonNode derived = record(logs.get(i).asText());
      assertThat(derived.path("name").asText()).isEqualTo(names[i]);
      assertThat(derived.path("cause").asText()).isEqualTo(primary.path("activationId").asText());
      sum += derived.path("duration").asLong();
    }
    assertThat(record(logs.get(1).asText()).path("response").path("result").toString())
        .isEqualTo("{\"value\":9}");
    assertThat(primary.path("duration").asLong()).isEqualTo(sum);
    assertThat(primary.path("annotations").toString())
        .contains("{\"key\":\"conductor\",\"value\":true}")
        .contains("{\"key\":\"kind\",\"value\":\"sequence\"}");
    // non-blocking: the primary record appears with the same result
    String id =
        guest
            .post("/api/v1/namespaces/_/actions/tripleAndIncrement", "{\"value\":1}")
            .body()
            .path("activationId")
            .asText();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> guest.get("/api/v1/namespaces/_/activations/" + id).status() == 200);
    assertThat(record(id).path("response").path("result").toString()).isEqualTo("{\"value\":4}");
  }

  @Test
  void continuationsAreBoxedAndErrorsEndTheComposition() {
    conductor(
        "boxer",
        "function main(p) { return p.done ? { params: 5 } : p.fail ? { error: 'stop' } : { action:"
            + " 'echo-c', params: 'x', state: 7 } }");
    action(guest, "echo-c", "function main(p) { return { got: p, done: true } }", "[]");
    JsonNode boxed = invoke("/api/v1/namespaces/_/actions/boxer", "{}").path("response");
    assertThat(boxed.path("result").toString())
        .as("params 5 is boxed as {value: 5}")
        .isEqualTo("{\"value\":5}");
    ApiClient.Answer failed =
        guest.post("/api/v1/namespaces/_/actions/boxer?blocking=true", "{\"fail\":true}");
    assertThat(failed.status()).isEqualTo(502);
    assertThat(failed.body().path("response").path("status").asText())
        .isEqualTo("application error");
    assertThat(failed.body().path("response").path("result").toString())
        .isEqualTo("{\"error\":\"stop\"}");
    JsonNode component =
        record(invoke("/api/v1/namespaces/_/actions/boxer", "{}").path("logs").get(1).asText());
    assertThat(component.path("response").path("result").path("got").toString())
        .as("params 'x' reach the component boxed as {value: 'x'}")
        .isEqualTo("{\"value\":\"x\"}");
  }

  @Test
  void badComponentNamesEndTheCompositionWithOpenWhisksMessages() {
    action(bob, "secret", "function main() { return {} }", "[]");
    String[][] cases = {
      {"42", "Failed to parse action name from json value 42 during composition."},
      {"'a/b/c/d'", "Failed to parse action name from json value \"a/b/c/d\" during composition."},
      {"'nope'", "Failed to resolve action with name 'nope' during composition."},
      {
        "'/bob/secret'",
        "Failed entitlement check for action with name '/bob/secret' during composition."
      },
    };
    for (String[] c : cases) {
      conductor("badname", "function main() { return { action: " + c[0] + " } }");
      ApiClient.Answer a = guest.post("/api/v1/namespaces/_/actions/badname?blocking=true", "{}");
      assertThat(a.status()).as(a.raw().body()).isEqualTo(502);
      assertThat(a.body().path("response").path("status").asText()).isEqualTo("application error");
      assertThat(a.body().path("response").path("result").path("error").asText()).isEqualTo(c[1]);
    }
  }

  @Test
  void aConductorThatAlwaysNamesItselfStopsAtOpenWhisksBound() {
    int n = ApiSettings.DEFAULT.maxSequenceLength();
    conductor("selfish", "function main(p) { return { action: 'selfish', params: p } }");
    ApiClient.Answer a = guest.post("/api/v1/namespaces/_/actions/selfish?blocking=true", "{}");
    assertThat(a.status()).as(a.raw().body()).isEqualTo(502);
    assertThat(a.body().path("response").path("result").path("error").asText())
        .isEqualTo("Too many actions in the composition.");
    // a conductor that never ends, with a plain component: n components, then the error
    action(guest, "noop", "function main(p) { return p }", "[]");
    conductor("forever", "function main(p) { return { action: 'noop', params: p } }");
    ApiClient.Answer b = guest.post("/api/v1/namespaces/_/actions/forever?blocking=true", "{}");
    assertThat(b.status()).as(b.raw().body()).isEqualTo(502);
    assertThat(b.body().path("response").path("result").path("error").asText())
        .isEqualTo("Too many actions in the composition.");
    assertThat(b.body().path("logs").size())
        .as("n components, each between two secondary activations")
        .isEqualTo(2 * n + 1);
    assertThat(
            guest
                .get("/api/v1/namespaces/_/activations?count=true&name=noop")
                .body()
                .path("activations")
                .asInt())
        .isEqualTo(n);
  }
}
