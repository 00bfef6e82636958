package io.hpcwhisk.balancer.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a web action's activation into an HTTP response, as OpenWhisk does: a successful result
 * (projected along the URL's path for {@code .json}, {@code .html}, {@code .svg} and {@code .text})
 * or an application error's {@code error} field goes through the extension's transcoder; any other
 * failure is 400 "There was an error processing your request.". Pure: no I/O.
 *
 * <p>Unlike OpenWhisk, a {@code headers} entry whose name is not an HTTP token or whose value holds
 * a control character (CR, LF, NUL...) makes the whole response invalid (400) rather than being
 * passed to the HTTP layer, and the framing headers ({@code Content-Length}, {@code
 * Transfer-Encoding}, {@code Connection} and other hop-by-hop ones) are dropped: the server frames
 * the response itself.
 */
public final class WebResult {

  static final String PROPERTY_NOT_FOUND = "Response does not include requested property.";
  static final String CONTENT_TYPE_ERROR =
      "Response type in header did not match generated content type.";
  static final String UNKNOWN_CONTENT_TYPE = "Response did not specify a known content-type.";
  static final String PROCESSING_ERROR = "There was an error processing your request.";

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern BASE64 =
      Pattern.compile(
          "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$");
  private static final Set<String> DROPPED =
      Set.of(
          "content-length",
          "transfer-encoding",
          "connection",
          "keep-alive",
          "upgrade",
          "te",
          "trailer",
          "proxy-connection");

  /** One response header. */
  public record Header(String name, String value) {}

  /** What to answer. */
  public interface Outcome {}

  /**
   * A response to write: status, headers (no Content-Type among them), the Content-Type (null:
   * none) and the body (empty: none).
   */
  public record Ok(int status, List<Header> headers, String contentType, byte[] body)
      implements Outcome {
    public Ok {
      headers = List.copyOf(headers);
    }
  }

  /** An error to answer as {@code {"error": message, "code": requestId}}. */
  public record Failure(int status, String message) implements Outcome {}

  private WebResult() {}

  /**
   * The response for an activation that ended with {@code statusCode} ({@link ActivationResponse})
   * and {@code result}, asked for with {@code extension} and {@code projection}.
   */
  public static Outcome of(
      WebPath.Extension extension, List<String> projection, int statusCode, JsonNode result) {
    JsonNode value;
    if (statusCode == ActivationResponse.SUCCESS) {
      value = extension == WebPath.Extension.HTTP ? result : project(result, projection);
    } else if (statusCode == ActivationResponse.APPLICATION_ERROR) {
      value = project(result, List.of("error"));
    } else {
      return new Failure(400, PROCESSING_ERROR);
    }
    if (value == null) {
      return new Failure(404, PROPERTY_NOT_FOUND);
    }
    return switch (extension) {
      case HTTP -> http(value);
      case JSON -> json(value);
      case HTML -> textual(value, "html", "text/html; charset=UTF-8", "text/html");
      case SVG -> textual(value, "svg", "image/svg+xml", "image/svg+xml");
      case TEXT -> text(value);
    };
  }

  /** The value at {@code path} inside {@code result}; null when a step is missing. */
  static JsonNode project(JsonNode result, List<String> path) {
    JsonNode at = result;
    for (String field : path) {
      if (at == null || !at.isObject() || !at.has(field)) {
        return null;
      }
      at = at.get(field);
    }
    return at;
  }

  private static Failure invalid(String mediaType) {
    return new Failure(400, "Response is not valid '" + mediaType + "'.");
  }

  private static Outcome json(JsonNode value) {
    if (!value.isObject() && !value.isArray()) {
      return invalid("application/json");
    }
    return new Ok(200, List.of(), "application/json", Json.bytes(value));
  }

  private static Outcome textual(
      JsonNode value, String field, String contentType, String mediaType) {
    JsonNode v = value.isObject() ? firstOf(value, "body", field) : value;
    if (v == null || !v.isTextual()) {
      return invalid(mediaType);
    }
    return new Ok(200, List.of(), contentType, v.asText().getBytes(StandardCharsets.UTF_8));
  }

  private static Outcome text(JsonNode value) {
    JsonNode v = value.isObject() ? firstOf(value, "body", "text") : value;
    if (v == null) {
      return new Failure(404, PROPERTY_NOT_FOUND);
    }
    String out;
    if (v.isObject() || v.isArray()) {
      try {
        out = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(v);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    } else if (v.isTextual()) {
      out = v.asText();
    } else {
      out = v.toString();
    }
    return new Ok(
        200, List.of(), "text/plain; charset=UTF-8", out.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode firstOf(JsonNode object, String a, String b) {
    return object.has(a) ? object.get(a) : object.get(b);
  }

  /** The {@code .http} transcoder: {@code statusCode}, {@code headers} and {@code body}. */
  private static Outcome http(JsonNode value) {
    if (!value.isObject()) {
      return invalid("message/http");
    }
    List<Header> headers = new ArrayList<>();
    JsonNode hs = value.get("headers");
    if (hs != null) {
      if (!hs.isObject()) {
        return invalid("message/http");
      }
      for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) hs::fields) {
        if (!addHeader(headers, e.getKey(), e.getValue())) {
          return invalid("message/http");
        }
      }
    }
    Integer code = null;
    JsonNode sc = value.get("statusCode");
    if (sc != null) {
      code = statusCode(sc);
      if (code == null) {
        return invalid("message/http");
      }
    }
    String contentType = null;
    List<Header> others = new ArrayList<>();
    for (Header h : headers) {
      String lower = h.name().toLowerCase(Locale.ROOT);
      if (lower.equals("content-type")) {
        contentType = h.value();
      } else if (!DROPPED.contains(lower)) {
        others.add(h);
      }
    }
    JsonNode body = value.get("body");
    if (body == null || body.isNull() || (body.isTextual() && body.asText().isEmpty())) {
      return new Ok(code == null ? 204 : code, others, null, new byte[0]);
    }
    int status = code == null ? 200 : code;
    if (body.isTextual()) {
      return stringBody(status, others, contentType, body.asText());
    }
    String mediaType = contentType == null ? "application/json" : MediaTypes.of(contentType);
    if (mediaType == null) {
      return new Failure(400, UNKNOWN_CONTENT_TYPE);
    }
    if (!MediaTypes.isJsonFamily(mediaType)) {
      return new Failure(400, CONTENT_TYPE_ERROR);
    }
    return new Ok(status, others, mediaType, Json.bytes(body));
  }

  private static Outcome stringBody(
      int status, List<Header> headers, String contentType, String body) {
    String mediaType = contentType == null ? "text/html" : MediaTypes.of(contentType);
    if (mediaType == null) {
      return new Failure(400, UNKNOWN_CONTENT_TYPE);
    }
    String ct = contentType == null ? "text/html" : contentType.trim();
    if (MediaTypes.takesCharset(mediaType) && !ct.toLowerCase(Locale.ROOT).contains("charset=")) {
      ct = ct + "; charset=UTF-8";
    }
    boolean text = MediaTypes.isText(mediaType);
    if (text && !(MediaTypes.isJsonFamily(mediaType) && isBase64(body))) {
      return new Ok(status, headers, ct, body.getBytes(StandardCharsets.UTF_8));
    }
    try {
      return new Ok(status, headers, ct, Base64.getDecoder().decode(body.trim()));
    } catch (IllegalArgumentException e) {
      return new Failure(400, CONTENT_TYPE_ERROR);
    }
  }

  static boolean isBase64(String s) {
    String t = s.trim();
    return !t.isEmpty() && t.length() % 4 == 0 && BASE64.matcher(t).matches();
  }

  /**
   * A status code between 200 and 599 given as a whole number or a string of digits, or null (an
   * informational 1xx code cannot end an HTTP exchange, so it is refused too).
   */
  static Integer statusCode(JsonNode sc) {
    int code;
    if (sc.isIntegralNumber() && sc.canConvertToInt()) {
      code = sc.intValue();
    } else if (sc.isNumber()) {
      BigDecimal d = sc.decimalValue();
      try {
        code = d.stripTrailingZeros().intValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    } else if (sc.isTextual() && sc.asText().matches("[0-9]{1,3}")) {
      code = Integer.parseInt(sc.asText());
    } else {
      return null;
    }
    return code >= 200 && code <= 599 ? code : null;
  }

  /** Adds the header (each element of an array as its own); false when it is not valid. */
  private static boolean addHeader(List<Header> out, String name, JsonNode value) {
    if (!TOKEN.matcher(name).matches()) {
      return false;
    }
    if (value.isArray()) {
      for (JsonNode v : value) {
        if (v.isArray() || !addHeader(out, name, v)) {
          return false;
        }
      }
      return true;
    }
    String v;
    if (value.isTextual()) {
      v = value.asText();
    } else if (value.isBoolean() || value.isNumber()) {
      v = value.asText();
    } else {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    out.add(new Header(name, v));
    return true;
  }
}
