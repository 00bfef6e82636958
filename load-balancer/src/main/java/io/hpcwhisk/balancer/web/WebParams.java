package io.hpcwhisk.balancer.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.Rejection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a web action's argument from an HTTP request, as OpenWhisk does: the {@code __ow_method},
 * {@code __ow_headers} and {@code __ow_path} fields (and {@code __ow_user} when the caller
 * authenticated), then the query parameters, then the body's fields (a JSON object or a form),
 * later ones winning; any other body goes into {@code __ow_body} (base64 for binary types and, for
 * compatibility, {@code application/json}). A {@code raw-http} action gets the query string as
 * {@code __ow_query} and the body as {@code __ow_body} instead. Pure: no I/O.
 */
public final class WebParams {

  static final String METHOD = "__ow_method";
  static final String HEADERS = "__ow_headers";
  static final String PATH = "__ow_path";
  static final String USER = "__ow_user";
  static final String QUERY = "__ow_query";
  static final String BODY = "__ow_body";

  /** The fields a request may not set through its query or body. */
  public static final Set<String> RESERVED = Set.of(METHOD, HEADERS, PATH, USER, QUERY, BODY);

  /** OpenWhisk's answer when a request sets a reserved or final parameter. */
  public static final String NOT_ALLOWED =
      "Request defines parameters that are not allowed (e.g., reserved properties).";

  /**
   * One HTTP request as a web action sees it.
   *
   * @param method the HTTP method (any case)
   * @param headers lower-case names to values (repeated headers joined with ", ")
   * @param path the part of the URL path after the action's segment ({@code __ow_path})
   * @param rawQuery the query string as sent, without {@code ?} (null or empty: none)
   * @param contentType the request's Content-Type (null: none)
   * @param body the request's body (empty: none)
   * @param user the namespace of the authenticated caller (null: anonymous)
   */
  public record Request(
      String method,
      Map<String, String> headers,
      String path,
      String rawQuery,
      String contentType,
      byte[] body,
      String user) {}

  private WebParams() {}

  /**
   * The action's argument for {@code r}; throws a 400 {@link Rejection} for a body that does not
   * parse as its type says, or for query or body fields that set a reserved name or one of {@code
   * finalNames} (parameters the action defines and annotates {@code final}).
   */
  public static ObjectNode build(Request r, boolean raw, Set<String> finalNames) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put(METHOD, r.method().toLowerCase(Locale.ROOT));
    ObjectNode headers = out.putObject(HEADERS);
    r.headers().forEach(headers::put);
    out.put(PATH, r.path());
    if (r.user() != null) {
      out.put(USER, r.user());
    }
    String query = r.rawQuery() == null ? "" : r.rawQuery();
    String mediaType = MediaTypes.of(r.contentType());
    boolean hasBody = r.body() != null && r.body().length > 0;
    if (raw) {
      out.put(QUERY, query);
      out.set(BODY, hasBody ? opaque(mediaType, r.body()) : text(""));
      return out;
    }
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    decodeForm(query, "query").forEach((k, v) -> fields.put(k, text(v)));
    JsonNode opaqueBody = null;
    if (hasBody) {
      if (MediaTypes.isJsonFamily(mediaType)) {
        JsonNode parsed = parseJson(r.body());
        if (parsed instanceof ObjectNode o) {
          o.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
        } else {
          opaqueBody = parsed;
        }
      } else if ("application/x-www-form-urlencoded".equals(mediaType)) {
        decodeForm(new String(r.body(), StandardCharsets.UTF_8), "form body")
            .forEach((k, v) -> fields.put(k, text(v)));
      } else {
        opaqueBody = opaque(mediaType, r.body());
      }
    }
    for (String name : fields.keySet()) {
      if (RESERVED.contains(name) || finalNames.contains(name)) {
        throw Rejection.badRequest(NOT_ALLOWED);
      }
    }
    fields.forEach(out::set);
    if (opaqueBody != null) {
      out.set(BODY, opaqueBody);
    }
    return out;
  }

  private static JsonNode text(String value) {
    return Json.MAPPER.getNodeFactory().textNode(value);
  }

  /** The body as {@code __ow_body}: base64 for binary types and application/json, else text. */
  private static JsonNode opaque(String mediaType, byte[] body) {
    boolean binary = !MediaTypes.isText(mediaType) || "application/json".equals(mediaType);
    return Json.MAPPER
        .getNodeFactory()
        .textNode(
            binary
                ? Base64.getEncoder().encodeToString(body)
                : new String(body, StandardCharsets.UTF_8));
  }

  private static JsonNode parseJson(byte[] body) {
    try {
      return Json.readContent(body);
    } catch (Json.LimitExceeded e) {
      throw new Rejection(
          e.isSize() ? 413 : 400,
          "The request content is over the server's JSON limits: " + e.getMessage() + ".");
    } catch (JsonProcessingException e) {
      throw Rejection.malformed(e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code a=1&b=x%20y} as an ordered map (last value of a repeated name wins). */
  static Map<String, String> decodeForm(String encoded, String what) {
    Map<String, String> out = new LinkedHashMap<>();
    if (encoded == null || encoded.isEmpty()) {
      return out;
    }
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.put(name, value);
      } catch (IllegalArgumentException e) {
        throw Rejection.badRequest(
            "The " + what + " is not valid URL encoding (a '%' not followed by two hex digits).");
      }
    }
    return out;
  }
}
