package io.hpcwhisk.balancer.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.api.ApiClient;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Web actions over plain HTTP (java.net.http, no client library) against a real server whose local
 * executor runs real nodejs actions: each extension, CORS preflight, HEAD, the annotations, the
 * owner's accounting, and attacks by an anonymous or hostile caller.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebActionsIT {

  private static final long MAX_PAYLOAD = 65_536;
  private static final String SECRET = "s3cr3t-Value-42";

  @TempDir static Path dir;
  private WhiskServer server;
  private String base;
  private ApiClient guest;
  private ApiClient bob;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Web(int status, HttpResponse<byte[]> raw) {
    String text() {
      return new String(raw.body(), StandardCharsets.UTF_8);
    }

    JsonNode json() {
      return Json.read(text(), JsonNode.class);
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    List<String> headers(String name) {
      return raw.headers().allValues(name);
    }
  }

  @BeforeAll
  void start() throws Exception {
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                new ServerConfig.Api(
                    "127.0.0.1", 0, true, "local", 60, MAX_PAYLOAD, 600_000, 1000, 5, 2048, 0))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()));
    server = WhiskServer.start(config, "web-actions");
    base = "http://127.0.0.1:" + server.address().getPort();
    guest = new ApiClient(base, Identity.GUEST.authKey());
    bob = guest.as(server.identities().create("bob").authKey());
    create(guest, "args", "function main(p){return {response: p}}", Map.of("web-export", true));
    create(
        guest,
        "page",
        "function main(p){return {body: '<html>' + (p.name || 'nobody') + '</html>'}}",
        Map.of("web-export", true));
    create(
        guest,
        "svg",
        "function main(){return {svg: '<svg xmlns=\"http://www.w3.org/2000/svg\"/>'}}",
        Map.of("web-export", true));
    create(
        guest,
        "png",
        "function main(){return {headers: {'Content-Type': 'image/png'}, body:"
            + " Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]).toString('base64')}}",
        Map.of("web-export", true));
    // echoes what the caller asks for into the response: the target of the hostile tests
    create(
        guest,
        "reflect",
        "function main(p){ var r = {}; if (p.code !== undefined) r.statusCode ="
            + " isNaN(Number(p.code)) ? p.code : Number(p.code); if (p.h) r.headers ="
            + " JSON.parse(p.h); if (p.b !== undefined) r.body = p.b; return r }",
        Map.of("web-export", true));
    create(guest, "private", "function main(p){return {body: 'secret stuff'}}", Map.of());
    create(
        guest,
        "exportedFalse",
        "function main(p){return {body: 'x'}}",
        Map.of("web-export", false));
    create(
        guest,
        "secret",
        "function main(p){return {headers: p.__ow_headers, user: p.__ow_user || null}}",
        Map.of("web-export", true, "require-whisk-auth", SECRET));
    create(
        guest,
        "authed",
        "function main(p){return {user: p.__ow_user || null, headers: p.__ow_headers}}",
        Map.of("web-export", true, "require-whisk-auth", true));
    create(
        guest,
        "raw",
        "function main(p){return {response: p}}",
        Map.of("web-export", true, "raw-http", true));
    createWithParams(
        guest,
        "fixed",
        "function main(p){return {body: 'hello ' + p.name}}",
        Map.of("web-export", true, "final", true),
        Map.of("name", "Jane"));
    create(
        guest,
        "custom",
        "function main(p){ if (p.__ow_method == 'options') return {statusCode: 200, headers:"
            + " {'Access-Control-Allow-Origin': 'example.com', 'Access-Control-Allow-Methods':"
            + " 'OPTIONS, GET'}}; return {body: 'custom'} }",
        Map.of("web-export", true, "web-custom-options", true, "require-whisk-auth", SECRET));
    create(
        guest,
        "apperror",
        "function main(p){return {error: {statusCode: 418, body: 'teapot'}}}",
        Map.of("web-export", true));
    create(
        guest,
        "crash",
        "function main(p){ throw new Error('boom at /secret/path') }",
        Map.of("web-export", true));
    create(
        bob, "mine", "function main(p){return {body: 'bob says hi'}}", Map.of("web-export", true));
    create(bob, "hidden", "function main(p){return {body: 'bob private'}}", Map.of());
    ApiClient.Answer seq =
        guest.put(
            "/api/v1/namespaces/_/actions/seq",
            "{\"exec\":{\"kind\":\"sequence\",\"components\":[\"/guest/page\"]},"
                + "\"annotations\":[{\"key\":\"web-export\",\"value\":true}]}");
    assertThat(seq.status()).as(seq.raw().body()).isEqualTo(200);
    assertThat(guest.put("/api/v1/namespaces/_/packages/pkg", "{}").status()).isEqualTo(200);
    create(
        guest,
        "pkg/inpkg",
        "function main(p){return {body: 'in a package'}}",
        Map.of("web-export", true));
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private void create(ApiClient as, String name, String code, Map<String, Object> annotations) {
    createWithParams(as, name, code, annotations, Map.of());
  }

  private void createWithParams(
      ApiClient as,
      String name,
      String code,
      Map<String, Object> annotations,
      Map<String, Object> params) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("exec").put("kind", "nodejs:default").put("code", code);
    ArrayNode a = body.putArray("annotations");
    annotations.forEach((k, v) -> a.addObject().put("key", k).set("value", Json.tree(v)));
    ArrayNode ps = body.putArray("parameters");
    params.forEach((k, v) -> ps.addObject().put("key", k).set("value", Json.tree(v)));
    ApiClient.Answer r = as.put("/api/v1/namespaces/_/actions/" + name, body.toString());
    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
  }

  private Web send(String method, String path, String contentType, byte[] body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(90))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Web(r.statusCode(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Web get(String path, String... headers) {
    return send("GET", path, null, null, headers);
  }

  private static void assertError(Web w, int status, String message) {
    assertThat(w.status()).as(w.text()).isEqualTo(status);
    assertThat(w.header("Content-Type")).isEqualTo("application/json");
    assertThat(w.json().path("error").asText()).isEqualTo(message);
    assertThat(w.json().path("code").asText()).isEqualTo(w.header("X-Request-ID"));
    assertNoLeak(w);
  }

  private static void assertNoLeak(Web w) {
    assertThat(w.text())
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("io.hpcwhisk")
        .doesNotContain(SECRET);
  }

  @Test
  void jsonExtensionPassesContextQueryAndBody() {
    Web w =
        send(
            "POST",
            "/api/v1/web/guest/default/args.json?name=Jane&n=1",
            "application/json",
            "{\"n\":2}".getBytes(StandardCharsets.UTF_8),
            "X-Custom",
            "v");
    assertThat(w.status()).as(w.text()).isEqualTo(200);
    assertThat(w.header("Content-Type")).startsWith("application/json");
    JsonNode p = w.json().path("response");
    assertThat(p.path("__ow_method").asText()).isEqualTo("post");
    assertThat(p.path("__ow_path").asText()).isEmpty();
    assertThat(p.path("__ow_headers").path("x-custom").asText()).isEqualTo("v");
    assertThat(p.path("name").asText()).isEqualTo("Jane");
    assertThat(p.path("n").asInt()).isEqualTo(2);
    assertThat(p.has("__ow_user")).isFalse();
    assertThat(w.header("x-openwhisk-activation-id")).matches("[0-9a-f]{32}");
    assertThat(w.header("Access-Control-Allow-Origin")).isEqualTo("*");

    Web form =
        send(
            "PUT",
            "/api/v1/web/guest/default/args.json",
            "application/x-www-form-urlencoded",
            "name=J%C3%B6rg".getBytes(StandardCharsets.UTF_8));
    assertThat(form.json().path("response").path("name").asText()).isEqualTo("Jörg");
    assertThat(form.json().path("response").path("__ow_method").asText()).isEqualTo("put");
  }

  @Test
  void projectionAndTextHtmlSvg() {
    Web name = get("/api/v1/web/guest/default/args.text/response/name?name=Jane");
    assertThat(name.status()).isEqualTo(200);
    assertThat(name.header("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
    assertThat(name.text()).isEqualTo("Jane");
    assertError(
        get("/api/v1/web/guest/default/args.json/response/missing"),
        404,
        "Response does not include requested property.");

    Web html = get("/api/v1/web/guest/default/page.html?name=Ann");
    assertThat(html.status()).isEqualTo(200);
    assertThat(html.header("Content-Type")).isEqualTo("text/html; charset=UTF-8");
    assertThat(html.text()).isEqualTo("<html>Ann</html>");

    Web svg = get("/api/v1/web/guest/default/svg.svg");
    assertThat(svg.status()).isEqualTo(200);
    assertThat(svg.header("Content-Type")).isEqualTo("image/svg+xml");
    assertThat(svg.text()).startsWith("<svg");
    assertError(
        get("/api/v1/web/guest/default/svg.json/svg"),
        400,
        "Response is not valid 'application/json'.");
    assertError(
        get("/api/v1/web/guest/default/args.html"), 400, "Response is not valid 'text/html'.");
  }

  @Test
  void httpExtensionAndNoExtension() {
    for (String path :
        List.of(
            "/api/v1/web/guest/default/page.http?name=Bo",
            "/api/v1/web/guest/default/page?name=Bo")) {
      Web w = get(path);
      assertThat(w.status()).isEqualTo(200);
      assertThat(w.header("Content-Type")).isEqualTo("text/html; charset=UTF-8");
      assertThat(w.text()).isEqualTo("<html>Bo</html>");
    }
    Web png = get("/api/v1/web/guest/default/png");
    assertThat(png.status()).isEqualTo(200);
    assertThat(png.header("Content-Type")).isEqualTo("image/png");
    assertThat(png.raw().body()).containsExactly(0x89, 0x50, 0x4e, 0x47, 0, 1, 2);

    Web redirect =
        get("/api/v1/web/guest/default/reflect?code=302&h=" + enc("{\"Location\":\"/elsewhere\"}"));
    assertThat(redirect.status()).isEqualTo(302);
    assertThat(redirect.header("Location")).isEqualTo("/elsewhere");

    assertThat(get("/api/v1/web/guest/default/reflect").status()).as("no body: 204").isEqualTo(204);
    assertThat(get("/api/v1/web/guest/pkg/inpkg.http").text()).isEqualTo("in a package");
    assertThat(get("/api/v1/web/guest/default/seq?name=Seq").text())
        .as("a web-exported sequence")
        .isEqualTo("<html>Seq</html>");
  }

  @Test
  void everyMethodHeadAndCorsPreflight() {
    for (String m : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
      Web w = send(m, "/api/v1/web/guest/default/args.json", null, null);
      assertThat(w.status()).as(m).isEqualTo(200);
      assertThat(w.json().path("response").path("__ow_method").asText()).isEqualTo(m.toLowerCase());
    }
    Web head = send("HEAD", "/api/v1/web/guest/default/page.http?name=Headless", null, null);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.raw().body()).isEmpty();
    assertThat(head.header("Content-Type")).isEqualTo("text/html; charset=UTF-8");
    assertThat(head.header("Content-Length"))
        .isEqualTo(String.valueOf("<html>Headless</html>".length()));

    Web headMissing = send("HEAD", "/api/v1/web/guest/default/private", null, null);
    assertThat(headMissing.status()).isEqualTo(404);
    assertThat(headMissing.raw().body()).isEmpty();

    Web pre =
        send(
            "OPTIONS",
            "/api/v1/web/guest/default/page.http",
            null,
            null,
            "Access-Control-Request-Headers",
            "x-custom-header",
            "Origin",
            "http://example.org");
    assertThat(pre.status()).isEqualTo(200);
    assertThat(pre.raw().body()).isEmpty();
    assertThat(pre.header("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(pre.header("Access-Control-Allow-Methods"))
        .isEqualTo("OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH");
    assertThat(pre.header("Access-Control-Allow-Headers")).isEqualTo("x-custom-header");
    assertThat(
            send("OPTIONS", "/api/v1/web/guest/default/page", null, null)
                .header("Access-Control-Allow-Headers"))
        .isEqualTo("Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent");

    Web custom = send("OPTIONS", "/api/v1/web/guest/default/custom", null, null);
    assertThat(custom.status())
        .as("web-custom-options: the action answers OPTIONS, without require-whisk-auth")
        .isEqualTo(200);
    assertThat(custom.header("Access-Control-Allow-Origin")).isEqualTo("example.com");
    assertThat(custom.header("Access-Control-Allow-Methods")).isEqualTo("OPTIONS, GET");
    assertError(get("/api/v1/web/guest/default/custom"), 401, WebActionsHandler.UNAUTHORIZED);
  }

  @Test
  void rawHttpAndFinalParameters() {
    Web raw =
        send(
            "POST",
            "/api/v1/web/guest/default/raw.json?name=Jane",
            "application/json",
            "{\"name\":\"Jane\"}".getBytes(StandardCharsets.UTF_8));
    JsonNode p = raw.json().path("response");
    assertThat(p.path("__ow_query").asText()).isEqualTo("name=Jane");
    assertThat(p.path("__ow_body").asText()).isEqualTo("eyJuYW1lIjoiSmFuZSJ9");
    assertThat(p.has("name")).isFalse();

    assertThat(get("/api/v1/web/guest/default/fixed").text()).isEqualTo("hello Jane");
    String notAllowed =
        "Request defines parameters that are not allowed (e.g., reserved properties).";
    assertError(get("/api/v1/web/guest/default/fixed?name=Mallory"), 400, notAllowed);
    assertError(
        send(
            "POST",
            "/api/v1/web/guest/default/fixed",
            "application/json",
            "{\"name\":\"Mallory\"}".getBytes(StandardCharsets.UTF_8)),
        400,
        notAllowed);
    assertError(get("/api/v1/web/guest/default/args.json?__ow_user=admin"), 400, notAllowed);
  }

  @Test
  void actionErrors() {
    Web teapot = get("/api/v1/web/guest/default/apperror");
    assertThat(teapot.status())
        .as("an application error's error field is the response")
        .isEqualTo(418);
    assertThat(teapot.text()).isEqualTo("teapot");
    Web crash = get("/api/v1/web/guest/default/crash.json");
    assertThat(crash.status()).isEqualTo(400);
    assertNoLeak(crash);
    assertThat(crash.text()).doesNotContain("/secret/path");
  }

  @Test
  void nonExportedPrivateAndMissingActionsAreAll404() {
    for (String path :
        List.of(
            "/api/v1/web/guest/default/private",
            "/api/v1/web/guest/default/private.json",
            "/api/v1/web/guest/default/exportedFalse",
            "/api/v1/web/guest/default/nothing",
            "/api/v1/web/bob/default/hidden",
            "/api/v1/web/nobody/default/x",
            "/api/v1/web/guest/nopkg/x",
            "/api/v1/web/whisk.system/utils/echo")) {
      Web w = get(path);
      assertError(w, 404, "The requested resource does not exist.");
      assertThat(w.text()).doesNotContain("secret stuff", "bob private");
      assertThat(w.header("x-openwhisk-activation-id")).isNull();
    }
    // with a valid key of another user too
    assertError(
        get("/api/v1/web/bob/default/hidden", "Authorization", basic(Identity.GUEST.authKey())),
        404,
        "The requested resource does not exist.");
  }

  @Test
  void aWebInvocationIsAnActivationOfTheOwner() {
    Web w = get("/api/v1/web/bob/default/mine");
    assertThat(w.text()).isEqualTo("bob says hi");
    String id = w.header("x-openwhisk-activation-id");
    ApiClient.Answer record = bob.get("/api/v1/namespaces/_/activations/" + id);
    assertThat(record.status()).as(record.raw().body()).isEqualTo(200);
    assertThat(record.body().path("namespace").asText()).isEqualTo("bob");
    assertThat(record.body().path("response").path("result").path("body").asText())
        .isEqualTo("bob says hi");
    assertThat(guest.get("/api/v1/namespaces/bob/activations/" + id).status()).isEqualTo(403);
    assertThat(guest.as(null).get("/api/v1/namespaces/bob/activations/" + id).status())
        .isEqualTo(401);
    assertThat(get("/api/v1/namespaces/bob/activations/" + id).status()).isEqualTo(401);
  }

  @Test
  void requireWhiskAuthSecretAndKey() {
    assertError(get("/api/v1/web/guest/default/secret.json"), 401, WebActionsHandler.UNAUTHORIZED);
    for (String guess :
        List.of(
            "",
            "s",
            SECRET.substring(0, SECRET.length() - 1),
            SECRET + "x",
            SECRET.toUpperCase(),
            SECRET.substring(1))) {
      assertError(
          get("/api/v1/web/guest/default/secret.json", "X-Require-Whisk-Auth", guess),
          401,
          WebActionsHandler.UNAUTHORIZED);
    }
    Web ok = get("/api/v1/web/guest/default/secret.json", "X-Require-Whisk-Auth", SECRET);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().path("headers").has("x-require-whisk-auth"))
        .as("the secret is not handed to the action's __ow_headers")
        .isFalse();
    assertThat(ok.text()).doesNotContain(SECRET);

    assertError(get("/api/v1/web/guest/default/authed.json"), 401, WebActionsHandler.UNAUTHORIZED);
    assertError(
        get(
            "/api/v1/web/guest/default/authed.json",
            "Authorization",
            basic(Identity.GUEST.uuid() + ":" + "x".repeat(64))),
        401,
        WebActionsHandler.UNAUTHORIZED);
    Web byBob = get("/api/v1/web/guest/default/authed.json", "Authorization", basic(bobKey()));
    assertThat(byBob.status()).isEqualTo(200);
    assertThat(byBob.json().path("user").asText()).isEqualTo("bob");
    assertThat(byBob.json().path("headers").has("authorization"))
        .as("bob's key is not handed to guest's action")
        .isFalse();
  }

  @Test
  void headerInjectionIsRefused() {
    String[] evil = {
      "{\"X-A\":\"v\\r\\nSet-Cookie: stolen=1\"}",
      "{\"X-A\":\"v\\nInjected: 1\"}",
      "{\"X-A\\r\\nInjected\":\"v\"}",
      "{\"Location\":[\"/ok\",\"/x\\r\\n\\r\\n<script>\"]}"
    };
    for (String h : evil) {
      Web w = get("/api/v1/web/guest/default/reflect?code=302&b=hi&h=" + enc(h));
      assertError(w, 400, "Response is not valid 'message/http'.");
      assertThat(w.header("Set-Cookie")).isNull();
      assertThat(w.header("Injected")).isNull();
      assertThat(w.header("Location")).isNull();
    }
  }

  @Test
  void framingHeadersCookiesStatusCodesAndBase64() {
    Web w =
        get(
            "/api/v1/web/guest/default/reflect?b=hello&h="
                + enc(
                    "{\"Content-Length\":\"1000\",\"Transfer-Encoding\":\"chunked\",\"Set-Cookie\":[\"a=1;"
                        + " HttpOnly\",\"b=2\"],\"Content-Type\":\"text/plain\"}"));
    assertThat(w.status()).isEqualTo(200);
    assertThat(w.text()).isEqualTo("hello");
    assertThat(w.header("Content-Length")).isEqualTo("5");
    assertThat(w.header("Transfer-Encoding")).isNull();
    assertThat(w.headers("Set-Cookie")).containsExactly("a=1; HttpOnly", "b=2");

    for (String code : List.of("99", "101", "600", "-1", "1e3", "abc", "200.5")) {
      assertError(
          get("/api/v1/web/guest/default/reflect?b=x&code=" + code),
          400,
          "Response is not valid 'message/http'.");
    }
    assertError(
        get(
            "/api/v1/web/guest/default/reflect?b="
                + enc("%%%not base64")
                + "&h="
                + enc("{\"Content-Type\":\"image/png\"}")),
        400,
        "Response type in header did not match generated content type.");
  }

  @Test
  void oversizedBodiesAre413() {
    byte[] big = new byte[(int) MAX_PAYLOAD + 1];
    Web w = send("POST", "/api/v1/web/guest/default/args.json", "application/octet-stream", big);
    assertError(
        w, 413, "Request larger than allowed: " + big.length + " > " + MAX_PAYLOAD + " bytes.");
  }

  @Test
  void oddPathsReachNothing() {
    for (String path :
        List.of(
            "/api/v1/web/guest/default/..%2F..%2Fnamespaces",
            "/api/v1/web/guest/%2e%2e/private",
            "/api/v1/web/guest/default/pri%00vate",
            "/api/v1/web/guest/default/private;x=1",
            "/api/v1/web/guest",
            "/api/v1/web",
            "/api/v1/web/guest/default/",
            "/api/v1/web/gu%24st/default/page")) {
      Web w = get(path);
      assertThat(w.status()).as(path).isIn(400, 404);
      assertNoLeak(w);
      assertThat(w.text()).doesNotContain("secret stuff");
    }
    Web dots = get("/api/v1/web/guest/default/../../namespaces/guest/actions");
    assertThat(dots.status())
        .as("a normalised path is the API's, which wants a key")
        .isIn(400, 401, 404);
    assertNoLeak(dots);
  }

  private String bobKey;

  private String bobKey() {
    if (bobKey == null) {
      bobKey = server.identities().rotate("bob").authKey();
      bob = guest.as(bobKey);
    }
    return bobKey;
  }

  private static String basic(String key) {
    return "Basic " + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
