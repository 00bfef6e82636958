package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.Rejection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * One API request as the collection classes see it: method, the path segments after {@code
 * /api/v1/namespaces/{ns}/{collection}}, the resolved namespace, the query, the caller and the body
 * (read before routing, without holding a thread: {@link BodyReader}), with a size limit per use.
 */
final class Call {

  final String method;
  final String namespace;
  final List<String> rest;
  final Identity caller;
  final String requestId;

  /** True when the path ended in '/', as in OpenWhisk's list of a package's actions. */
  final boolean trailingSlash;

  private final Request request;
  private final Fields query;

  /**
   * The body, read by {@link BodyReader} before the call was routed (empty when the request had
   * none).
   */
  private final byte[] body;

  Call(
      Request request,
      String method,
      String namespace,
      List<String> rest,
      Identity caller,
      String requestId,
      byte[] body) {
    this.request = request;
    this.body = body == null ? new byte[0] : body;
    this.method = method;
    this.namespace = namespace;
    this.rest = rest;
    this.caller = caller;
    this.requestId = requestId;
    this.trailingSlash = request.getHttpURI().getPath().endsWith("/");
    this.query = Request.extractQueryParameters(request);
  }

  boolean ownNamespace() {
    return namespace.equals(caller.namespace());
  }

  /** 405 naming the one method the resource supports, unless the request uses it. */
  void requireMethod(String supported) {
    if (!method.equals(supported)) {
      throw new Rejection(405, "HTTP method not allowed, supported methods: " + supported);
    }
  }

  /** 403 unless the request is about the caller's own namespace. */
  void requireOwnNamespace() {
    if (!ownNamespace()) {
      throw Rejection.forbidden();
    }
  }

  /**
   * The path of the single entity the request names ({@code /rules/NAME}); 404 for deeper paths.
   * Collections without packages (triggers, rules, packages) use it.
   */
  EntityPath singleEntity() {
    if (rest.size() > 1) {
      throw new Rejection(404, ApiHandler.NO_ROUTE);
    }
    return EntityPath.of(namespace, rest.get(0));
  }

  String query(String name) {
    Fields.Field f = query.get(name);
    return f == null ? null : f.getValue();
  }

  /** A boolean query parameter: absent → dflt; "true"/"false" (any case); anything else → 400. */
  boolean flag(String name, boolean dflt) {
    String v = query(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw Rejection.badRequest(
        "The value '" + v + "' of parameter '" + name + "' is not a boolean (true or false).");
  }

  /** The body as bytes, refusing with 413 when it is larger than {@code maxBytes}. */
  byte[] body(long maxBytes) {
    if (body.length > maxBytes) {
      throw tooLarge(body.length, maxBytes);
    }
    return body;
  }

  static Rejection tooLarge(long size, long max) {
    return new Rejection(413, "Request larger than allowed: " + size + " > " + max + " bytes.");
  }

  /** The body as a JSON object; empty body → {}; anything else → 400. */
  ObjectNode jsonObject(long maxBytes) {
    byte[] data = body(maxBytes);
    if (data.length == 0 || isBlank(data)) {
      return Json.MAPPER.createObjectNode();
    }
    JsonNode node;
    try {
      node = Json.readContent(data);
    } catch (Json.LimitExceeded e) {
      throw new Rejection(
          e.isSize() ? 413 : 400,
          "The request content is over the server's JSON limits: " + e.getMessage() + ".");
    } catch (JsonProcessingException e) {
      throw Rejection.malformed(e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!(node instanceof ObjectNode object)) {
      throw Rejection.malformed(
          "the body must be a JSON object, not " + node.getNodeType().toString().toLowerCase());
    }
    return object;
  }

  private static boolean isBlank(byte[] data) {
    for (byte b : data) {
      if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return true;
  }

  /** A non-negative integer query parameter with OpenWhisk's messages for collection lists. */
  int listParam(String name, String collection, int dflt, int max) {
    String v = query(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    int value;
    try {
      value = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw Rejection.badRequest(
          "The value '"
              + v
              + "' is not an integer for "
              + collection
              + " (expected "
              + name
              + " from 0 to "
              + max
              + ").");
    }
    if ("skip".equals(name) && value < 0) {
      throw Rejection.badRequest(
          "The value '" + value + "' is not greater than or equal to 0 for " + collection + ".");
    }
    if (value < 0 || value > max) {
      throw Rejection.badRequest(
          "The value '"
              + value
              + "' is not in the range of 0 to "
              + max
              + " for "
              + collection
              + ".");
    }
    return value;
  }
}
