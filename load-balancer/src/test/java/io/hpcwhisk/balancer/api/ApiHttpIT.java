package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.auth.NamespaceLimits;
import io.hpcwhisk.balancer.auth.StoredUser;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Status codes and error bodies over real HTTP (java.net.http) against a real server; actions are
 * run by a fake dispatcher that echoes (this test is about the API, not about running code).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiHttpIT {

  private static final Pattern CODE = Pattern.compile("[0-9a-f]{32}");
  private static final String NODE =
      "{\"exec\":{\"kind\":\"nodejs:default\",\"code\":\"function main(p){return p}\"}}";

  @TempDir static Path dir;
  private WhiskServer server;
  private FakeDispatcher fake;
  private ApiClient guest;
  private ApiClient bob;
  private ApiClient anonymous;

  @BeforeAll
  void start() throws Exception {
    fake = new FakeDispatcher();
    // port 0, guest on, blocking wait 2 s, payloads up to 2048 bytes, 30 invocations/min, 5 in
    // flight,
    // 5 fires/min, no drain on close
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                new ServerConfig.Api("127.0.0.1", 0, true, "none", 2, 2048L, 30, 5, 5, null, 0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.toString()));
    server = WhiskServer.start(config, (clock, host) -> fake, "test");
    String base = "http://127.0.0.1:" + server.address().getPort();
    guest = new ApiClient(base, Identity.GUEST.authKey());
    bob = guest.as(server.identities().create("bob").authKey());
    anonymous = guest.as(null);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private static void assertError(ApiClient.Answer a, int status, String message) {
    assertThat(a.status()).as(a.raw().body()).isEqualTo(status);
    assertThat(a.error()).contains(message);
    assertThat(a.body().path("code").asText()).isEqualTo(a.header("X-Request-ID"));
  }

  @Test
  void corsPreflightIsAnsweredWithoutAuthentication() {
    ApiClient.Answer a = anonymous.send("OPTIONS", "/api/v1/namespaces/_/actions/x", null, null);
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.header("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(a.header("Access-Control-Allow-Headers")).contains("Authorization");
    assertThat(guest.get("/api/v1/namespaces").header("Access-Control-Allow-Origin"))
        .isEqualTo("*");
  }

  @Test
  void infoNeedsNoAuthentication() {
    assertThat(anonymous.get("/").body().path("api_paths").get(0).asText()).isEqualTo("/api/v1");
    assertThat(anonymous.get("/api/v1").status()).isEqualTo(200);
  }

  @Test
  void authenticationFailuresAre401() {
    assertError(anonymous.get("/api/v1/namespaces"), 401, "requires authentication");
    assertError(
        guest.as("23bc46b1-71f6-4ed5-8c54-816aa4f8c502:wrong").get("/api/v1/namespaces"),
        401,
        "The supplied authentication is invalid.");
    assertError(guest.as("not-a-key").get("/api/v1/namespaces"), 401, "invalid");
    assertThat(guest.get("/api/v1/namespaces").body().toString()).isEqualTo("[\"guest\"]");
    assertThat(bob.get("/api/v1/namespaces").body().toString()).isEqualTo("[\"bob\"]");
    assertThat(server.identities().list())
        .as("the guest key is never written to the identities file")
        .extracting(StoredUser::namespace)
        .doesNotContain("guest");
  }

  @Test
  void aForeignNamespaceIs403() {
    assertThat(bob.put("/api/v1/namespaces/bob/actions/secret", NODE).status()).isEqualTo(200);
    assertError(guest.get("/api/v1/namespaces/bob/actions/secret"), 403, "not authorized");
    assertError(
        guest.post("/api/v1/namespaces/bob/actions/secret?blocking=true", "{}"),
        403,
        "not authorized");
    assertError(guest.put("/api/v1/namespaces/bob/actions/mine", NODE), 403, "not authorized");
    assertError(guest.get("/api/v1/namespaces/bob/activations"), 403, "not authorized");
    assertError(guest.get("/api/v1/namespaces/bob/limits"), 403, "not authorized");
    assertThat(bob.get("/api/v1/namespaces/_/actions/secret").status()).isEqualTo(200);
  }

  @Test
  void thePublicUtilsPackageIsReadableByEveryone() {
    assertThat(bob.get("/api/v1/namespaces/whisk.system/actions/utils/echo").status())
        .isEqualTo(200);
    // utils and alarms
    assertThat(bob.get("/api/v1/namespaces/whisk.system/packages").body().size()).isEqualTo(2);
    assertError(
        bob.delete("/api/v1/namespaces/whisk.system/actions/utils/echo"), 403, "not authorized");
  }

  @Test
  void createConflictsAndUpdateBumpsTheVersion() {
    assertThat(guest.put("/api/v1/namespaces/_/actions/v", NODE).body().path("version").asText())
        .isEqualTo("0.0.1");
    assertError(guest.put("/api/v1/namespaces/_/actions/v", NODE), 409, "resource already exists");
    assertThat(
            guest
                .put("/api/v1/namespaces/_/actions/v?overwrite=true", NODE)
                .body()
                .path("version")
                .asText())
        .isEqualTo("0.0.2");
    assertError(guest.put("/api/v1/namespaces/_/triggers/v", "{}"), 409, "not in this collection");
    assertThat(
            guest.get("/api/v1/namespaces/_/actions/v?code=false").body().path("exec").has("code"))
        .isFalse();
    assertThat(guest.delete("/api/v1/namespaces/_/actions/v").status()).isEqualTo(200);
    assertError(guest.delete("/api/v1/namespaces/_/actions/v"), 404, "does not exist");
  }

  @ParameterizedTest(name = "{0} {1} → {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "PUT | /api/v1/namespaces/_/actions/bad1 | {not json | 400 | The request content was"
            + " malformed",
        "PUT | /api/v1/namespaces/_/actions/bad2 | [1,2] | 400 | must be a JSON object",
        "PUT | /api/v1/namespaces/_/actions/bad3 | {\"exec\":{\"kind\":\"cobol\",\"code\":\"x\"}} |"
            + " 400 | valid kinds are: nodejs:20",
        "PUT | /api/v1/namespaces/_/actions/bad4 | {\"exec\":{\"kind\":42}} | 400 | 'kind' must be"
            + " a string",
        "PUT | /api/v1/namespaces/_/actions/bad5 | {\"exec\":{\"kind\":\"nodejs:20\"}} | 400 |"
            + " 'exec.code' is required",
        "PUT | /api/v1/namespaces/_/actions/bad5i |"
            + " {\"exec\":{\"kind\":\"blackbox\",\"image\":\"--privileged\"}} | 400 | The image"
            + " '--privileged' in 'exec.image' is refused: an image name must not start with '-'",
        "PUT | /api/v1/namespaces/_/actions/bad5r |"
            + " {\"exec\":{\"kind\":\"blackbox\",\"image\":\"docker.io/library/python\"}} | 400 |"
            + " images are never pulled here",
        "PUT | /api/v1/namespaces/_/actions/bad6 |"
            + " {\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"},\"limits\":{\"timeout\":50}} |"
            + " 400 | duration 50 milliseconds below allowed threshold of 100 milliseconds",
        "PUT | /api/v1/namespaces/_/actions/bad7 |"
            + " {\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"},\"limits\":{\"memory\":4096}} |"
            + " 400 | memory 4096 MB exceeds allowed threshold of 2048 MB",
        "PUT | /api/v1/namespaces/_/actions/bad8 |"
            + " {\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"},\"limits\":{\"timeout\":\"1s\"}}"
            + " | 400 | limits.timeout must be an integer",
        "PUT | /api/v1/namespaces/_/actions/bad9 |"
            + " {\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"},\"parameters\":{\"a\":1}} | 400 |"
            + " 'parameters' must be an array",
        "PUT | /api/v1/namespaces/_/actions/bad10 |"
            + " {\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"},\"publish\":\"yes\"} | 400 |"
            + " 'publish' must be a boolean",
        "PUT | /api/v1/namespaces/_/actions/bad%3Bname | "
            + "{} | 400 | The name of the entity contains illegal characters.",
        "PUT | /api/v1/namespaces/_/actions/bad;name | {} | 400 | The name of the entity contains"
            + " illegal characters.",
        "PUT | /api/v1/namespaces/bad%21ns/actions/x | {} | 400 | The namespace contains illegal"
            + " characters.",
        "PUT | /api/v1/namespaces/_/actions/bad11 |"
            + " {\"exec\":{\"kind\":\"sequence\",\"components\":[\"/guest/nope\"]}} | 400 |"
            + " Sequence component does not exist.",
        "PUT | /api/v1/namespaces/_/actions/bad12 |"
            + " {\"exec\":{\"kind\":\"sequence\",\"components\":[]}} | 400 | No component specified"
            + " for the sequence.",
        "PUT | /api/v1/namespaces/_/actions/nopkg/x | " + NODE_ESC + " | 404 | does not exist",
        "GET | /api/v1/namespaces/_/actions?limit=500 | | 400 | is not in the range of 0 to 200 for"
            + " actions",
        "GET | /api/v1/namespaces/_/actions?skip=-1 | | 400 | is not greater than or equal to 0 for"
            + " actions",
        "GET | /api/v1/namespaces/_/actions?limit=abc | | 400 | is not an integer for actions",
        "GET | /api/v1/namespaces/_/activations?docs=true&count=true | | 400 | The parameter 'docs'"
            + " is not permitted with 'count'.",
        "GET | /api/v1/namespaces/_/activations?since=yesterday | | 400 | not a valid value for"
            + " epoch",
        "GET | /api/v1/namespaces/_/activations/xyz | | 400 | The activation id is not valid.",
        "GET | /api/v1/namespaces/_/activations/0123456789abcdef0123456789abcdef | | 404 | does not"
            + " exist",
        "GET | /api/v1/namespaces/_/gadgets | | 404 | could not be found",
        "GET | /api/v2/namespaces | | 404 | could not be found",
        "PATCH | /api/v1/namespaces/_/actions/x | {} | 405 | HTTP method not allowed",
        "POST | /api/v1/namespaces/_/actions/missing | {} | 404 | does not exist",
        "POST | /api/v1/namespaces/_/actions/missing?blocking=maybe | {} | 400 | is not a boolean",
        "POST | /api/v1/namespaces/_/actions/missing?blocking=true&timeout=70000 | {} | 400 |"
            + " Timeout must be number of milliseconds up to",
        "POST | /api/v1/namespaces/_/triggers/missing | {} | 404 | does not exist",
        "PUT | /api/v1/namespaces/_/rules/r0 | {\"trigger\":\"/_/nope\",\"action\":\"/_/nope\"} |"
            + " 404 | does not exist",
        "PUT | /api/v1/namespaces/_/packages/default | {} | 400 | is reserved",
        "PUT | /api/v1/namespaces/_/packages/b0 |"
            + " {\"binding\":{\"namespace\":\"_\",\"name\":\"nope\"}} | 400 | Binding references a"
            + " package that does not exist."
      })
  void badRequestsGetOpenWhisksStatusAClearMessageAndWriteNothing(
      String method, String path, String body, int status, String message) {
    int before =
        guest.get("/api/v1/namespaces/_/actions?count=true").body().path("actions").asInt();
    ApiClient.Answer a = guest.send(method, path, body, null);
    assertError(a, status, message);
    assertThat(a.raw().body()).doesNotContain("Exception", "\tat ");
    assertThat(guest.get("/api/v1/namespaces/_/actions?count=true").body().path("actions").asInt())
        .isEqualTo(before);
  }

  static final String NODE_ESC = "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"}}";

  @Test
  void oversizeBodiesAre413AndWriteNothing() {
    String big = "{\"p\":\"" + "x".repeat(3000) + "\"}";
    guest.put("/api/v1/namespaces/_/actions/sized", NODE);
    assertError(
        guest.post("/api/v1/namespaces/_/actions/sized", big), 413, "Request larger than allowed");
    String bigParams =
        "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"x\"},\"parameters\":[{\"key\":\"p\",\"value\":\""
            + "x".repeat(3000)
            + "\"}]}";
    assertError(
        guest.put("/api/v1/namespaces/_/actions/sized2", bigParams),
        413,
        "Request larger than allowed");
    assertThat(guest.get("/api/v1/namespaces/_/actions/sized2").status()).isEqualTo(404);
  }

  @Test
  void theRequestIdIsHonouredAndReturnedAsTheErrorCode() {
    ApiClient.Answer a =
        guest.send("GET", "/api/v1/namespaces/_/actions/none", null, "my-trace-42");
    assertThat(a.header("X-Request-ID")).isEqualTo("my-trace-42");
    assertThat(a.body().path("code").asText()).isEqualTo("my-trace-42");
    ApiClient.Answer b = guest.get("/api/v1/namespaces/_/actions/none");
    assertThat(b.body().path("code").asText()).matches(CODE);
  }

  @Test
  void invokeStatusesFollowOpenWhisk() {
    guest.put("/api/v1/namespaces/_/actions/inv", NODE);
    ApiClient.Answer nonBlocking = guest.post("/api/v1/namespaces/_/actions/inv", "{\"a\":1}");
    assertThat(nonBlocking.status()).isEqualTo(202);
    String id = nonBlocking.body().path("activationId").asText();
    assertThat(nonBlocking.header("x-openwhisk-activation-id")).isEqualTo(id);

    ApiClient.Answer ok = guest.post("/api/v1/namespaces/_/actions/inv?blocking=true", "{\"a\":1}");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body().path("response").path("result").path("a").asInt()).isEqualTo(1);
    assertThat(ok.body().path("response").path("status").asText()).isEqualTo("success");

    ApiClient.Answer result =
        guest.post("/api/v1/namespaces/_/actions/inv?blocking=true&result=true", "{\"a\":2}");
    assertThat(result.body().toString()).isEqualTo("{\"a\":2}");

    ApiClient.Answer app =
        guest.post("/api/v1/namespaces/_/actions/inv?blocking=true", "{\"fail\":\"application\"}");
    assertThat(app.status()).isEqualTo(502);
    assertThat(app.body().path("response").path("statusCode").asInt()).isEqualTo(1);
    ApiClient.Answer dev =
        guest.post("/api/v1/namespaces/_/actions/inv?blocking=true", "{\"fail\":\"developer\"}");
    assertThat(dev.status()).isEqualTo(502);

    ApiClient.Answer slow =
        guest.post(
            "/api/v1/namespaces/_/actions/inv?blocking=true&timeout=300", "{\"holdMs\":3000}");
    assertThat(slow.status()).as("the activation outlived the blocking wait").isEqualTo(202);
    assertThat(slow.body().path("activationId").asText()).matches(CODE);
  }

  @Test
  void aNamespacesOwnLimitsApplyAndShow() {
    String key = server.identities().create("dora").authKey();
    server.identities().setLimits("dora", new NamespaceLimits(null, null, 1));
    ApiClient dora = guest.as(key);
    assertThat(dora.get("/api/v1/namespaces/_/limits").body().path("firesPerMinute").asInt())
        .isEqualTo(1);
    assertThat(guest.get("/api/v1/namespaces/_/limits").body().path("firesPerMinute").asInt())
        .isEqualTo(5);
    dora.put("/api/v1/namespaces/_/triggers/t", "{}");
    assertThat(dora.post("/api/v1/namespaces/_/triggers/t", "{}").status()).isEqualTo(204);
    assertError(
        dora.post("/api/v1/namespaces/_/triggers/t", "{}"),
        429,
        "Too many requests in the last minute (count: 1, allowed: 1).");
  }

  @Test
  void concurrencyLimitIs429WithOpenWhisksMessage() {
    guest.put("/api/v1/namespaces/_/actions/held", NODE);
    ApiClient c = bob;
    bob.put("/api/v1/namespaces/_/actions/held", NODE);
    for (int i = 0; i < 5; i++) {
      assertThat(c.post("/api/v1/namespaces/_/actions/held", "{\"hold\":true}").status())
          .isEqualTo(202);
    }
    assertError(
        c.post("/api/v1/namespaces/_/actions/held", "{}"),
        429,
        "Too many concurrent requests in flight (count: 5, allowed: 5).");
  }

  @Test
  void firingATriggerIs202WithActiveRulesAnd204Without() {
    guest.put("/api/v1/namespaces/_/actions/onfire", NODE);
    guest.put(
        "/api/v1/namespaces/_/triggers/tr",
        "{\"parameters\":[{\"key\":\"from\",\"value\":\"trigger\"}]}");
    assertThat(guest.post("/api/v1/namespaces/_/triggers/tr", "{}").status()).isEqualTo(204);
    assertThat(
            guest
                .put(
                    "/api/v1/namespaces/_/rules/ru",
                    "{\"trigger\":\"/_/tr\",\"action\":\"/_/onfire\"}")
                .body()
                .path("status")
                .asText())
        .isEqualTo("active");
    ApiClient.Answer fired = guest.post("/api/v1/namespaces/_/triggers/tr", "{\"x\":1}");
    assertThat(fired.status()).isEqualTo(202);
    String id = fired.body().path("activationId").asText();
    var record = guest.get("/api/v1/namespaces/_/activations/" + id).body();
    assertThat(record.path("response").path("result").toString())
        .isEqualTo("{\"from\":\"trigger\",\"x\":1}");
    String line = record.path("logs").get(0).asText();
    assertThat(line).contains("\"success\":true", "\"rule\":\"guest/ru\"");
    assertError(
        guest.post("/api/v1/namespaces/_/rules/ru", "{\"status\":\"sleeping\"}"),
        400,
        "active' or 'inactive");
    assertThat(guest.post("/api/v1/namespaces/_/rules/ru", "{\"status\":\"inactive\"}").status())
        .isEqualTo(200);
    assertThat(guest.post("/api/v1/namespaces/_/triggers/tr", "{}").status()).isEqualTo(204);
    assertThat(
            guest
                .get("/api/v1/namespaces/_/triggers/tr")
                .body()
                .path("rules")
                .path("guest/ru")
                .path("status")
                .asText())
        .isEqualTo("inactive");
  }

  @Test
  void deletingANonEmptyPackageNeedsForce() {
    guest.put("/api/v1/namespaces/_/packages/full", "{}");
    guest.put("/api/v1/namespaces/_/actions/full/one", NODE);
    var listed = guest.get("/api/v1/namespaces/_/actions/full/").body();
    assertThat(listed.size()).as("the trailing slash lists the package's actions").isEqualTo(1);
    assertThat(listed.get(0).path("namespace").asText()).isEqualTo("guest/full");
    assertError(
        guest.delete("/api/v1/namespaces/_/packages/full"),
        409,
        "Package not empty (contains 1 entity)");
    assertThat(guest.delete("/api/v1/namespaces/_/packages/full?force=true").status())
        .isEqualTo(200);
    assertThat(guest.get("/api/v1/namespaces/_/actions/full/one").status()).isEqualTo(404);
  }
}
