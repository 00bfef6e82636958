package io.hpcwhisk.balancer.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.web.WebPath.Extension;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebResultTest {

  private static JsonNode j(String json) {
    return Json.read(json, JsonNode.class);
  }

  private static WebResult.Outcome ok(Extension e, String result) {
    return WebResult.of(e, List.of(), ActivationResponse.SUCCESS, j(result));
  }

  private static WebResult.Ok asOk(WebResult.Outcome o) {
    assertThat(o).isInstanceOf(WebResult.Ok.class);
    return (WebResult.Ok) o;
  }

  private static void assertFailure(WebResult.Outcome o, int status, String message) {
    assertThat(o).isEqualTo(new WebResult.Failure(status, message));
  }

  private static String text(WebResult.Ok o) {
    return new String(o.body(), StandardCharsets.UTF_8);
  }

  @Test
  void httpStatusHeadersAndBody() {
    WebResult.Ok o =
        asOk(
            ok(
                Extension.HTTP,
                "{\"statusCode\":302,\"headers\":{\"location\":\"http://x\",\"Set-Cookie\":[\"a=1\",\"b=2\"],\"X-N\":3,\"X-B\":true}}"));
    assertThat(o.status()).isEqualTo(302);
    assertThat(o.headers())
        .containsExactly(
            new WebResult.Header("location", "http://x"),
            new WebResult.Header("Set-Cookie", "a=1"),
            new WebResult.Header("Set-Cookie", "b=2"),
            new WebResult.Header("X-N", "3"),
            new WebResult.Header("X-B", "true"));
    assertThat(o.body()).isEmpty();

    WebResult.Ok html = asOk(ok(Extension.HTTP, "{\"body\":\"<p>hi</p>\"}"));
    assertThat(html.status()).isEqualTo(200);
    assertThat(html.contentType()).isEqualTo("text/html; charset=UTF-8");
    assertThat(text(html)).isEqualTo("<p>hi</p>");

    assertThat(asOk(ok(Extension.HTTP, "{}")).status()).as("no body: 204").isEqualTo(204);
    assertThat(asOk(ok(Extension.HTTP, "{\"statusCode\":\"201\",\"body\":\"\"}")).status())
        .isEqualTo(201);
  }

  @Test
  void binaryBodiesAreBase64DecodedAndJsonIsSerialised() {
    String png = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    WebResult.Ok o =
        asOk(
            ok(
                Extension.HTTP,
                "{\"headers\":{\"Content-Type\":\"image/png\"},\"body\":\"" + png + "\"}"));
    assertThat(o.contentType()).isEqualTo("image/png");
    assertThat(o.body()).containsExactly(0x89, 'P', 'N', 'G');
    assertThat(o.headers()).as("the content type is not repeated").isEmpty();

    WebResult.Ok json = asOk(ok(Extension.HTTP, "{\"body\":{\"a\":[1]}}"));
    assertThat(json.contentType()).isEqualTo("application/json");
    assertThat(text(json)).isEqualTo("{\"a\":[1]}");

    String b64 = Base64.getEncoder().encodeToString("{\"k\":1}".getBytes(StandardCharsets.UTF_8));
    WebResult.Ok legacy =
        asOk(
            ok(
                Extension.HTTP,
                "{\"headers\":{\"content-type\":\"application/json\"},\"body\":\"" + b64 + "\"}"));
    assertThat(text(legacy)).isEqualTo("{\"k\":1}");

    assertFailure(
        ok(
            Extension.HTTP,
            "{\"headers\":{\"Content-Type\":\"image/png\"},\"body\":\"not base64!\"}"),
        400,
        WebResult.CONTENT_TYPE_ERROR);
    assertFailure(
        ok(Extension.HTTP, "{\"headers\":{\"Content-Type\":\"text/html\"},\"body\":{\"a\":1}}"),
        400,
        WebResult.CONTENT_TYPE_ERROR);
    assertFailure(
        ok(Extension.HTTP, "{\"headers\":{\"Content-Type\":\"nonsense\"},\"body\":\"x\"}"),
        400,
        WebResult.UNKNOWN_CONTENT_TYPE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"a string\"",
        "[1]",
        "{\"statusCode\":99}",
        "{\"statusCode\":101}",
        "{\"statusCode\":600}",
        "{\"statusCode\":-1}",
        "{\"statusCode\":200.5}",
        "{\"statusCode\":\"2e2\"}",
        "{\"statusCode\":true}",
        "{\"headers\":[]}",
        "{\"headers\":{\"X\":{\"a\":1}}}",
        "{\"headers\":{\"X\":null}}",
        "{\"headers\":{\"X-Evil\":\"a\\r\\nSet-Cookie: stolen=1\"}}",
        "{\"headers\":{\"X-Evil\":\"a\\nb\"}}",
        "{\"headers\":{\"X-Evil\":\"a\\u0000b\"}}",
        "{\"headers\":{\"X-Evil\":[\"ok\",\"a\\rb\"]}}",
        "{\"headers\":{\"X-Evil\\r\\nInjected\":\"v\"}}",
        "{\"headers\":{\"Bad Name\":\"v\"}}",
        "{\"headers\":{\"\":\"v\"}}",
        "{\"headers\":{\"Content-Type\":\"text/html\\r\\nX: y\"},\"body\":\"x\"}"
      })
  void invalidHttpResultsAreRefusedWhole(String result) {
    assertFailure(ok(Extension.HTTP, result), 400, "Response is not valid 'message/http'.");
  }

  @Test
  void framingHeadersFromTheActionAreDropped() {
    WebResult.Ok o =
        asOk(
            ok(
                Extension.HTTP,
                "{\"headers\":{\"Content-Length\":\"1\",\"Transfer-Encoding\":\"chunked\",\"Connection\":\"close\",\"Set-Cookie\":\"a=1\"},\"body\":\"hello\"}"));
    assertThat(o.headers()).containsExactly(new WebResult.Header("Set-Cookie", "a=1"));
    assertThat(o.body()).hasSize(5);
  }

  @Test
  void otherExtensions() {
    WebResult.Ok json = asOk(ok(Extension.JSON, "{\"a\":1}"));
    assertThat(json.contentType()).isEqualTo("application/json");
    assertThat(text(json)).isEqualTo("{\"a\":1}");

    WebResult.Ok html = asOk(ok(Extension.HTML, "{\"html\":\"<b>x</b>\"}"));
    assertThat(html.contentType()).isEqualTo("text/html; charset=UTF-8");
    assertThat(text(html)).isEqualTo("<b>x</b>");
    assertThat(text(asOk(ok(Extension.HTML, "{\"body\":\"b\",\"html\":\"h\"}")))).isEqualTo("b");
    assertFailure(ok(Extension.HTML, "{\"x\":1}"), 400, "Response is not valid 'text/html'.");

    WebResult.Ok svg = asOk(ok(Extension.SVG, "{\"svg\":\"<svg/>\"}"));
    assertThat(svg.contentType()).isEqualTo("image/svg+xml");
    assertFailure(ok(Extension.SVG, "{\"svg\":1}"), 400, "Response is not valid 'image/svg+xml'.");

    WebResult.Ok txt = asOk(ok(Extension.TEXT, "{\"text\":\"plain\"}"));
    assertThat(txt.contentType()).isEqualTo("text/plain; charset=UTF-8");
    assertThat(text(txt)).isEqualTo("plain");
    assertThat(text(asOk(ok(Extension.TEXT, "{\"text\":42}")))).isEqualTo("42");
    assertFailure(ok(Extension.TEXT, "{\"x\":1}"), 404, WebResult.PROPERTY_NOT_FOUND);
  }

  @Test
  void projectionAndErrors() {
    WebResult.Ok name =
        asOk(
            WebResult.of(
                Extension.TEXT,
                List.of("response", "name"),
                ActivationResponse.SUCCESS,
                j("{\"response\":{\"name\":\"Jane\"}}")));
    assertThat(text(name)).isEqualTo("Jane");
    assertFailure(
        WebResult.of(Extension.JSON, List.of("nope"), ActivationResponse.SUCCESS, j("{\"a\":1}")),
        404,
        WebResult.PROPERTY_NOT_FOUND);
    assertThat(
            asOk(WebResult.of(
                    Extension.HTTP,
                    List.of("ignored"),
                    ActivationResponse.SUCCESS,
                    j("{\"body\":\"x\"}")))
                .status())
        .as(".http takes no projection")
        .isEqualTo(200);

    WebResult.Ok appError =
        asOk(
            WebResult.of(
                Extension.HTTP,
                List.of(),
                ActivationResponse.APPLICATION_ERROR,
                j("{\"error\":{\"statusCode\":418,\"body\":\"teapot\"}}")));
    assertThat(appError.status()).isEqualTo(418);
    assertThat(text(appError)).isEqualTo("teapot");
    assertFailure(
        WebResult.of(
            Extension.HTTP,
            List.of(),
            ActivationResponse.APPLICATION_ERROR,
            j("{\"error\":\"x\"}")),
        400,
        "Response is not valid 'message/http'.");
    assertFailure(
        WebResult.of(
            Extension.JSON,
            List.of(),
            ActivationResponse.DEVELOPER_ERROR,
            j("{\"error\":\"boom\"}")),
        400,
        WebResult.PROCESSING_ERROR);
    assertFailure(
        WebResult.of(
            Extension.JSON, List.of(), ActivationResponse.WHISK_ERROR, j("{\"error\":\"x\"}")),
        400,
        WebResult.PROCESSING_ERROR);
  }
}
