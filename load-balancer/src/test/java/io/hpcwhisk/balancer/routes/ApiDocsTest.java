package io.hpcwhisk.balancer.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.Rejection;
import org.junit.jupiter.api.Test;

class ApiDocsTest {

  private static final String BASE = "http://127.0.0.1:3233";

  /** What the npm client's routes.create sends (routeSwaggerDefinition). */
  static ObjectNode route(String basePath, String relPath, String op, String action, String ns) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode doc = body.putObject("apidoc");
    doc.put("namespace", "_");
    doc.put("gatewayBasePath", basePath);
    doc.put("gatewayPath", relPath);
    doc.put("gatewayMethod", op);
    doc.put("id", "API:_:" + basePath);
    ObjectNode a = doc.putObject("action");
    a.put("name", action);
    a.put("namespace", ns);
    a.put("backendMethod", "GET");
    a.put("backendUrl", BASE + "/api/v1/web/" + ns + "/default/" + action + ".http");
    a.put("authkey", "uuid:secret-key-never-stored");
    return body;
  }

  @Test
  void aRouteBecomesASwaggerDocumentWithoutTheKey() {
    ObjectNode s =
        ApiDocs.create(
            route("/shop", "/books/{id}", "GET", "getBook", "_"), "alice", "json", null, BASE);
    assertThat(s.get("basePath").asText()).isEqualTo("/shop");
    assertThat(s.at("/info/title").asText()).isEqualTo("/shop");
    JsonNode op = s.at("/paths/~1books~1{id}/get");
    assertThat(op.at("/x-openwhisk/namespace").asText()).isEqualTo("alice");
    assertThat(op.at("/x-openwhisk/package").asText()).isEqualTo("default");
    assertThat(op.at("/x-openwhisk/action").asText()).isEqualTo("getBook");
    assertThat(op.at("/x-openwhisk/url").asText())
        .isEqualTo(BASE + "/api/v1/web/alice/default/getBook.json");
    assertThat(op.at("/parameters/0/name").asText()).isEqualTo("id");
    assertThat(s.toString()).doesNotContain("secret-key-never-stored");

    ObjectNode both =
        ApiDocs.create(
            route("/shop", "/books", "post", "pkg/add", "alice"), "alice", "http", s, BASE);
    assertThat(both.get("paths").size()).isEqualTo(2);
    assertThat(ApiDocs.targets(both).get("/books").get("post"))
        .isEqualTo(new ApiDocs.Target("pkg", "add", "http"));

    ObjectNode less = ApiDocs.remove(both, "/shop", "/books", "POST");
    assertThat(less.get("paths").has("/books")).isFalse();
    assertThat(ApiDocs.remove(less, "/shop", "/books/{id}", null)).as("nothing left").isNull();
    assertThatThrownBy(() -> ApiDocs.remove(less, "/shop", "/nope", null))
        .isInstanceOf(Rejection.class)
        .hasMessageContaining("relpath /nope does not exist");
  }

  @Test
  void anotherNamespacesActionIsForbidden() {
    assertThatThrownBy(
            () ->
                ApiDocs.create(
                    route("/shop", "/x", "get", "steal", "bob"), "alice", "json", null, BASE))
        .isInstanceOf(Rejection.class)
        .satisfies(e -> assertThat(((Rejection) e).status()).isEqualTo(403))
        .hasMessageContaining("'bob'");
    ObjectNode body = route("/shop", "/x", "get", "a", "_");
    ((ObjectNode) body.get("apidoc")).put("namespace", "bob");
    assertThatThrownBy(() -> ApiDocs.create(body, "alice", "json", null, BASE))
        .satisfies(e -> assertThat(((Rejection) e).status()).isEqualTo(403));
  }

  @Test
  void malformedFieldsAre400NamingTheField() {
    ObjectNode noMethod = route("/shop", "/x", "get", "a", "_");
    ((ObjectNode) noMethod.get("apidoc")).remove("gatewayMethod");
    assertThatThrownBy(() -> ApiDocs.create(noMethod, "alice", "json", null, BASE))
        .hasMessage("apidoc is missing the gatewayMethod field.");
    assertThatThrownBy(
            () ->
                ApiDocs.create(route("/shop", "/x", "BREW", "a", "_"), "alice", "json", null, BASE))
        .hasMessageContaining("The operation 'BREW' is not supported");
    assertThatThrownBy(
            () -> ApiDocs.create(route("shop", "/x", "get", "a", "_"), "alice", "json", null, BASE))
        .hasMessageContaining("base path 'shop' must start with '/'");
    assertThatThrownBy(() -> ApiDocs.responseType("xml"))
        .hasMessageContaining("The response type 'xml' is not supported");
    assertThatThrownBy(
            () ->
                ApiDocs.create(route("/s", "/x", "get", "a/b/c", "_"), "alice", "json", null, BASE))
        .hasMessageContaining("too many parts");
    assertThatThrownBy(
            () ->
                ApiDocs.create(
                    route("/s", "/x", "get", "/bob/a", "_"), "alice", "json", null, BASE))
        .as("a fully qualified action name of another namespace")
        .satisfies(e -> assertThat(((Rejection) e).status()).isEqualTo(403));
  }

  @Test
  void aGivenSwaggerIsCheckedAndRewrittenForTheCaller() {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode doc = body.putObject("apidoc");
    doc.put("namespace", "_");
    ObjectNode sw = doc.putObject("swagger");
    sw.put("swagger", "2.0");
    sw.put("basePath", "/v2");
    sw.putObject("info").put("title", "mine").put("version", "1.0.0");
    ObjectNode op = sw.putObject("paths").putObject("/hello/{who}").putObject("get");
    op.putObject("x-openwhisk")
        .put("namespace", "_")
        .put("package", "default")
        .put("action", "hi")
        .put("url", "http://elsewhere/api/v1/web/_/default/hi.text");
    ObjectNode s = ApiDocs.create(body, "alice", "json", null, BASE);
    assertThat(ApiDocs.targets(s).get("/hello/{who}").get("get"))
        .isEqualTo(new ApiDocs.Target(null, "hi", "text"));
    assertThat(s.at("/paths/~1hello~1{who}/get/x-openwhisk/url").asText())
        .isEqualTo(BASE + "/api/v1/web/alice/default/hi.text");

    sw.remove("info");
    assertThatThrownBy(() -> ApiDocs.create(body, "alice", "json", null, BASE))
        .hasMessage("swagger is missing the info field.");
  }

  @Test
  void deepOrHugeDocumentsAreRefused() {
    ObjectNode body = route("/shop", "/x", "get", "a", "_");
    ObjectNode deep = (ObjectNode) body.get("apidoc");
    for (int i = 0; i < 40; i++) {
      deep = deep.putObject("n");
    }
    assertThatThrownBy(() -> ApiDocs.create(body, "alice", "json", null, BASE))
        .hasMessageContaining("nests deeper than allowed");
    ObjectNode huge = route("/shop", "/x", "get", "a", "_");
    ((ObjectNode) huge.get("apidoc")).put("apiName", "x".repeat(300_000));
    assertThatThrownBy(() -> ApiDocs.create(huge, "alice", "json", null, BASE))
        .satisfies(e -> assertThat(((Rejection) e).status()).isEqualTo(413));
  }
}
