package io.hpcwhisk.balancer.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.ApiDoc;
import io.hpcwhisk.balancer.entity.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * API routes over plain HTTP against a real server whose local executor runs real nodejs actions:
 * attacks by another API user (bob) on guest's routes, hostile request bodies, URLs and the store
 * key of the route documents, and routes surviving a restart of the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiRoutesIT {

  private static final long MAX_PAYLOAD = 65_536;
  private static final String MGMT = "/api/v1/web/whisk.system/apimgmt/";

  @TempDir static Path dir;
  private WhiskServer server;
  private String base;
  private ApiClient guest;
  private ApiClient bob;
  private String bobKey;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServerConfig config() {
    return ServerConfig.DEFAULT
        .withApi(
            new ServerConfig.Api(
                "127.0.0.1", 0, true, "local", 60, MAX_PAYLOAD, 600_000, 1000, 5, 2048, 0))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()));
  }

  @BeforeAll
  void start() throws Exception {
    server = WhiskServer.start(config(), "api-routes");
    base = "http://127.0.0.1:" + server.address().getPort();
    guest = new ApiClient(base, Identity.GUEST.authKey());
    bobKey = server.identities().create("bob").authKey();
    bob = guest.as(bobKey);
    action(guest, "book", "function main(p){return {id: p.id, who: 'guest'}}", true);
    action(guest, "plain", "function main(p){return {secret: 'guest only'}}", false);
    action(bob, "book", "function main(p){return {id: p.id, who: 'bob'}}", true);
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private void action(ApiClient as, String name, String code, boolean web) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("exec").put("kind", "nodejs:default").put("code", code);
    ArrayNode a = body.putArray("annotations");
    a.addObject().put("key", "web-export").put("value", web);
    ApiClient.Answer r =
        as.put("/api/v1/namespaces/_/actions/" + name + "?overwrite=true", body.toString());
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
  }

  /** The body the npm client's routes.create sends. */
  private static String route(
      String basePath, String relPath, String op, String action, String ns) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode doc = body.putObject("apidoc");
    doc.put("namespace", "_");
    doc.put("gatewayBasePath", basePath);
    doc.put("gatewayPath", relPath);
    doc.put("gatewayMethod", op);
    ObjectNode a = doc.putObject("action");
    a.put("name", action);
    a.put("namespace", ns);
    a.put("backendMethod", "GET");
    a.put("backendUrl", "http://x/api/v1/web/" + ns + "/default/" + action + ".http");
    a.put("authkey", "never-stored");
    return body.toString();
  }

  private record Web(int status, String text, HttpResponse<String> raw) {
    JsonNode json() {
      return Json.read(text, JsonNode.class);
    }
  }

  private Web send(String method, String path, String body, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(90))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (key != null) {
      b.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Web(r.statusCode(), r.body(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void assertError(Web w, int status, String part) {
    assertThat(w.status()).as(w.text()).isEqualTo(status);
    assertThat(w.json().path("error").asText()).contains(part);
    assertThat(w.json().path("code").asText()).isNotBlank();
    assertThat(w.text()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void anotherUserCannotReadDeleteOverwriteOrBorrowARoute() {
    String guestKey = Identity.GUEST.authKey();
    Web created =
        send(
            "POST", MGMT + "createApi", route("/lib", "/books/{id}", "get", "book", "_"), guestKey);
    assertThat(created.status()).as(created.text()).isEqualTo(200);
    assertThat(created.text()).doesNotContain("never-stored");

    // bob names guest's namespace: in the query, the apidoc, the action, a whole swagger
    assertError(
        send("GET", MGMT + "getApi?namespace=guest", null, bobKey), 403, "'guest' is not yours");
    assertError(
        send("DELETE", MGMT + "deleteApi?basepath=/lib&namespace=guest", null, bobKey),
        403,
        "not yours");
    assertError(
        send(
            "POST",
            MGMT + "createApi",
            route("/lib", "/books/{id}", "get", "book", "guest"),
            bobKey),
        403,
        "own namespace 'bob'");
    assertError(
        send("POST", MGMT + "createApi", route("/lib", "/x", "get", "/guest/book", "_"), bobKey),
        403,
        "own namespace");
    String swagger =
        "{\"apidoc\":{\"namespace\":\"_\",\"swagger\":{\"swagger\":\"2.0\",\"basePath\":\"/lib\","
            + "\"info\":{\"title\":\"t\",\"version\":\"1\"},\"paths\":{\"/books/{id}\":{\"get\":"
            + "{\"x-openwhisk\":{\"namespace\":\"guest\",\"package\":\"default\",\"action\":\"book\"}}}}}}}";
    assertError(send("POST", MGMT + "createApi", swagger, bobKey), 403, "own namespace");
    // what bob sees and deletes is his own (nothing)
    assertThat(send("GET", MGMT + "getApi", null, bobKey).json().path("apis")).isEmpty();
    assertError(
        send("DELETE", MGMT + "deleteApi?basepath=/lib", null, bobKey), 404, "does not exist");
    // bob's API on the same base path is his own and runs his action
    assertThat(
            send(
                    "POST",
                    MGMT + "createApi",
                    route("/lib", "/books/{id}", "get", "book", "_"),
                    bobKey)
                .status())
        .isEqualTo(200);
    assertThat(send("GET", "/api/gw/bob/lib/books/1", null, null).json().path("who").asText())
        .isEqualTo("bob");
    Web g = send("GET", "/api/gw/guest/lib/books/7", null, null);
    assertThat(g.status()).as(g.text()).isEqualTo(200);
    assertThat(g.json()).isEqualTo(Json.read("{\"id\":\"7\",\"who\":\"guest\"}", JsonNode.class));
    // anonymous management calls
    assertError(send("GET", MGMT + "getApi", null, null), 401, "Authentication");
    assertError(
        send("POST", MGMT + "createApi", route("/x", "/x", "get", "book", "_"), "nope:wrong"),
        401,
        "Authentication");
  }

  @Test
  void routesOnlyMapWebActionsAndCheckAgainWhenServing() {
    String guestKey = Identity.GUEST.authKey();
    assertError(
        send("POST", MGMT + "createApi", route("/p", "/x", "get", "plain", "_"), guestKey),
        400,
        "is not a web action");
    assertError(
        send("POST", MGMT + "createApi", route("/p", "/x", "get", "missing", "_"), guestKey),
        404,
        "does not exist");
    action(guest, "later", "function main(p){return {ok: true}}", true);
    assertThat(
            send("POST", MGMT + "createApi", route("/later", "/x", "get", "later", "_"), guestKey)
                .status())
        .isEqualTo(200);
    assertThat(send("GET", "/api/gw/guest/later/x", null, null).status()).isEqualTo(200);
    action(guest, "later", "function main(p){return {ok: true}}", false);
    assertError(send("GET", "/api/gw/guest/later/x", null, null), 404, "does not exist");
  }

  @Test
  void hostileBodiesAreRefusedAndWriteNothing() {
    String guestKey = Identity.GUEST.authKey();
    String huge = "{\"apidoc\":{\"namespace\":\"_\",\"apiName\":\"" + "x".repeat(70_000) + "\"}}";
    assertThat(send("POST", MGMT + "createApi", huge, guestKey).status()).isEqualTo(413);
    String deep = "[".repeat(100) + "]".repeat(100);
    Web d =
        send(
            "POST",
            MGMT + "createApi",
            "{\"apidoc\":{\"namespace\":\"_\",\"gatewayBasePath\":\"/deep\",\"x\":" + deep + "}}",
            guestKey);
    assertError(d, 400, "nests deeper than allowed");
    assertError(send("POST", MGMT + "createApi", "{not json", guestKey), 400, "not valid JSON");
    assertError(send("POST", MGMT + "createApi", "[1,2]", guestKey), 400, "JSON object");
    assertError(
        send(
            "POST",
            MGMT + "createApi",
            route("/deep", "/a/{id}/{id}", "get", "book", "_"),
            guestKey),
        400,
        "names the path parameter {id} twice");
    assertError(
        send(
            "POST",
            MGMT + "createApi?responsetype=exe",
            route("/deep", "/a", "get", "book", "_"),
            guestKey),
        400,
        "response type 'exe'");
    assertError(send("GET", MGMT + "createApi", null, guestKey), 405, "use POST");
    assertThat(send("GET", MGMT + "getApi?basepath=/deep", null, guestKey).json().path("apis"))
        .as("nothing half-written")
        .isEmpty();
  }

  @Test
  void theStoredDocumentIsNotReachableAsAnActionAndHostileUrlsAre404() {
    String guestKey = Identity.GUEST.authKey();
    assertThat(
            send("POST", MGMT + "createApi", route("/keep", "/x", "get", "book", "_"), guestKey)
                .status())
        .isEqualTo(200);
    String key = ApiDoc.nameFor("/keep");
    assertThat(guest.get("/api/v1/namespaces/_/actions/default/" + key).status()).isEqualTo(404);
    assertThat(guest.delete("/api/v1/namespaces/_/actions/default/" + key).status()).isEqualTo(404);
    assertThat(send("GET", "/api/v1/web/guest/default/" + key, null, null).status()).isEqualTo(404);
    assertThat(send("GET", "/api/gw/guest/keep/x", null, null).status())
        .as("still served")
        .isEqualTo(200);
    for (String bad :
        new String[] {
          "/api/gw/guest/keep/x/..%2F..%2Fv1%2Fnamespaces",
          "/api/gw/gu%2Fest/keep/x",
          "/api/gw/guest/keep//x",
          "/api/gw/nobody/keep/x",
          "/api/gw/guest;p=1/keep/x",
          "/api/gw/"
        }) {
      Web w = send("GET", bad, null, null);
      assertThat(w.status()).as(bad + ": " + w.text()).isIn(400, 404);
      assertThat(w.text()).doesNotContain("guest only");
    }
    Web m = send("DELETE", "/api/gw/guest/keep/x", null, null);
    assertThat(m.status()).isEqualTo(405);
    assertThat(m.raw().headers().firstValue("Allow")).contains("GET");
    Web o = send("OPTIONS", "/api/gw/guest/keep/x", null, null);
    assertThat(o.status()).isEqualTo(200);
    assertThat(o.raw().headers().firstValue("Access-Control-Allow-Origin")).contains("*");
  }

  @Test
  void literalPathsWinOverParametersAndRoutesSurviveARestart() throws Exception {
    String guestKey = Identity.GUEST.authKey();
    action(guest, "newbook", "function main(p){return {new: true}}", true);
    assertThat(
            send(
                    "POST",
                    MGMT + "createApi",
                    route("/r", "/books/{id}", "get", "book", "_"),
                    guestKey)
                .status())
        .isEqualTo(200);
    assertThat(
            send(
                    "POST",
                    MGMT + "createApi",
                    route("/r", "/books/new", "get", "newbook", "_"),
                    guestKey)
                .status())
        .isEqualTo(200);
    assertThat(send("GET", "/api/gw/guest/r/books/new", null, null).json().path("new").asBoolean())
        .isTrue();
    assertThat(send("GET", "/api/gw/guest/r/books/a%20b", null, null).json().path("id").asText())
        .isEqualTo("a b");
    assertThat(send("GET", "/api/gw/guest/r/books/a%2Fb", null, null).status())
        .as("an encoded / is refused as ambiguous (by Jetty), as for web actions")
        .isIn(400, 404);
    server.close();
    server = WhiskServer.start(config(), "api-routes");
    base = "http://127.0.0.1:" + server.address().getPort();
    guest = guest.at(base);
    Web after = send("GET", "/api/gw/guest/r/books/9", null, null);
    assertThat(after.status()).as("the route is in the store: " + after.text()).isEqualTo(200);
    assertThat(after.json())
        .isEqualTo(Json.read("{\"id\":\"9\",\"who\":\"guest\"}", JsonNode.class));
  }
}
