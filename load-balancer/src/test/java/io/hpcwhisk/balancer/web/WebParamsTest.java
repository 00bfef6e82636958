package io.hpcwhisk.balancer.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebParamsTest {

  private static WebParams.Request req(String method, String query, String type, String body) {
    return new WebParams.Request(
        method,
        Map.of("accept", "*/*"),
        "/x",
        query,
        type,
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8),
        null);
  }

  @Test
  void contextFieldsThenQueryThenBodyFields() {
    ObjectNode p =
        WebParams.build(
            req("POST", "name=Jane&n=1&x=%20y", "application/json", "{\"n\":2,\"o\":{\"a\":1}}"),
            false,
            Set.of());
    assertThat(p.path("__ow_method").asText()).isEqualTo("post");
    assertThat(p.path("__ow_headers").path("accept").asText()).isEqualTo("*/*");
    assertThat(p.path("__ow_path").asText()).isEqualTo("/x");
    assertThat(p.has("__ow_user")).as("anonymous caller").isFalse();
    assertThat(p.has("__ow_query")).isFalse();
    assertThat(p.has("__ow_body")).isFalse();
    assertThat(p.path("name").asText()).isEqualTo("Jane");
    assertThat(p.path("x").asText()).isEqualTo(" y");
    assertThat(p.path("n").asInt()).as("the body wins over the query").isEqualTo(2);
    assertThat(p.path("o").path("a").asInt()).isEqualTo(1);
  }

  @Test
  void formBodiesAreFieldsAndOtherBodiesAreOpaque() {
    ObjectNode form =
        WebParams.build(
            req("POST", null, "application/x-www-form-urlencoded", "name=J%C3%B6rg&a=b+c"),
            false,
            Set.of());
    assertThat(form.path("name").asText()).isEqualTo("Jörg");
    assertThat(form.path("a").asText()).isEqualTo("b c");

    ObjectNode text = WebParams.build(req("PUT", null, "text/plain", "Jane"), false, Set.of());
    assertThat(text.path("__ow_body").asText()).isEqualTo("Jane");

    ObjectNode bin =
        WebParams.build(req("PUT", null, "image/png", "\u0001\u0002"), false, Set.of());
    assertThat(Base64.getDecoder().decode(bin.path("__ow_body").asText())).containsExactly(1, 2);

    ObjectNode none = WebParams.build(req("POST", null, null, "abc"), false, Set.of());
    assertThat(none.path("__ow_body").asText())
        .as("no content type: bytes, base64")
        .isEqualTo(Base64.getEncoder().encodeToString("abc".getBytes(StandardCharsets.UTF_8)));

    ObjectNode array =
        WebParams.build(req("POST", null, "application/json", "[1,2]"), false, Set.of());
    assertThat(array.path("__ow_body").isArray()).isTrue();
  }

  @Test
  void rawHttpGetsTheQueryStringAndTheBodyAsTheyCame() {
    ObjectNode p =
        WebParams.build(
            req("POST", "name=Jane", "application/json", "{\"name\":\"Jane\"}"),
            true,
            Set.of("name"));
    assertThat(p.path("__ow_query").asText()).isEqualTo("name=Jane");
    assertThat(p.path("__ow_body").asText())
        .as("JSON is base64, as OpenWhisk")
        .isEqualTo("eyJuYW1lIjoiSmFuZSJ9");
    assertThat(p.has("name")).isFalse();
    ObjectNode empty = WebParams.build(req("GET", null, null, null), true, Set.of());
    assertThat(empty.path("__ow_body").asText()).isEmpty();
    assertThat(empty.path("__ow_query").asText()).isEmpty();
  }

  @Test
  void reservedAndFinalParametersCannotBeSet() {
    for (WebParams.Request r :
        new WebParams.Request[] {
          req("GET", "__ow_user=admin", null, null),
          req("GET", "__ow_headers=x", null, null),
          req("POST", null, "application/json", "{\"__ow_method\":\"get\"}"),
          req("POST", null, "application/x-www-form-urlencoded", "__ow_body=x"),
          req("GET", "secret=mine", null, null),
          req("POST", null, "application/json", "{\"secret\":1}")
        }) {
      assertThatThrownBy(() -> WebParams.build(r, false, Set.of("secret")))
          .isInstanceOf(Rejection.class)
          .hasMessage(WebParams.NOT_ALLOWED)
          .extracting(e -> ((Rejection) e).status())
          .isEqualTo(400);
    }
    assertThat(
            WebParams.build(req("GET", "secret=mine", null, null), false, Set.of())
                .path("secret")
                .asText())
        .isEqualTo("mine");
  }

  @Test
  void badBodiesAre400WithoutEcho() {
    assertThatThrownBy(
            () -> WebParams.build(req("POST", null, "application/json", "{nope"), false, Set.of()))
        .isInstanceOf(Rejection.class)
        .hasMessageStartingWith("The request content was malformed");
    assertThatThrownBy(() -> WebParams.build(req("GET", "a=%zz", null, null), false, Set.of()))
        .isInstanceOf(Rejection.class)
        .hasMessageContaining("not valid URL encoding");
  }

  @Test
  void theAuthenticatedCallerIsNamed() {
    ObjectNode p =
        WebParams.build(
            new WebParams.Request("GET", Map.of(), "", null, null, new byte[0], "bob"),
            false,
            Set.of());
    assertThat(p.path("__ow_user").asText()).isEqualTo("bob");
  }
}
