package io.hpcwhisk.balancer.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.ApiDoc;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.Rejection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds, checks and edits the swagger 2.0 documents of API routes, in the form OpenWhisk's route
 * management ({@code createApi} with an API gateway access token) stores them: {@code basePath},
 * {@code info.title} (the API name), and per relative path and lower-case operation an {@code
 * operationId}, a default response and {@code x-openwhisk: {namespace, package, action, url}}, the
 * url being the web action's with the response type as its extension. Unlike OpenWhisk, no API key
 * is stored (OpenWhisk keeps the caller's key in {@code x-ibm-configuration}): routes call web
 * actions, which need none. Pure: no I/O.
 */
public final class ApiDocs {

  /** The response types a route may ask for (the web action's extension). */
  public static final Set<String> RESPONSE_TYPES = Set.of("json", "http", "html", "svg", "text");

  /** The operations a route may map. */
  public static final List<String> OPERATIONS =
      List.of("get", "put", "post", "delete", "patch", "head", "options");

  /** Most relative paths of one API. */
  public static final int MAX_PATHS = 200;

  /** Most levels of objects and arrays in a swagger document. */
  public static final int MAX_DEPTH = 32;

  /** Largest swagger document, serialised, in characters. */
  public static final int MAX_DOC_CHARS = 256 * 1024;

  /** The action one operation maps to, in the route owner's namespace. */
  public record Target(String pkg, String action, String responseType) {
    /** The action's path in {@code namespace}. */
    public EntityPath path(String namespace) {
      return pkg == null
          ? EntityPath.of(namespace, action)
          : new EntityPath(namespace, pkg, action);
    }
  }

  private ApiDocs() {}

  private static Rejection bad(String message) {
    return Rejection.badRequest(message);
  }

  /** A field's text, or a 400 naming it when it is missing or not a string. */
  private static String text(JsonNode parent, String field, String where) {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
      throw bad(where + " is missing the " + field + " field.");
    }
    if (!v.isTextual()) {
      throw bad(where + " field " + field + " must be a string, got " + v.getNodeType() + ".");
    }
    return v.asText();
  }

  /** A JSON object given as an object or as a JSON string (OpenWhisk accepts both). */
  static ObjectNode object(JsonNode v, String what) {
    if (v != null && v.isTextual()) {
      try {
        v = Json.readContent(v.asText().getBytes(StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException e) {
        throw bad(what + " field cannot be parsed. Ensure it is valid JSON.");
      }
    }
    if (v == null || !v.isObject()) {
      throw bad(
          what
              + " must be a JSON object or a JSON string, got "
              + (v == null ? "nothing" : v.getNodeType().toString())
              + ".");
    }
    checkShape(v, what);
    return (ObjectNode) v;
  }

  /** Depth and size limits (400 / 413 with the limit). */
  static void checkShape(JsonNode v, String what) {
    int depth = depth(v);
    if (depth > MAX_DEPTH) {
      throw bad(
          what
              + " nests deeper than allowed: more than "
              + MAX_DEPTH
              + " levels of objects and arrays.");
    }
    int chars = v.toString().length();
    if (chars > MAX_DOC_CHARS) {
      throw new Rejection(
          413, what + " is larger than allowed: " + chars + " > " + MAX_DOC_CHARS + " characters.");
    }
  }

  private static int depth(JsonNode root) {
    int max = 0;
    ArrayDeque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {root, 1});
    while (!stack.isEmpty()) {
      Object[] top = stack.pop();
      JsonNode n = (JsonNode) top[0];
      int d = (Integer) top[1];
      if (n.isContainerNode()) {
        max = Math.max(max, d);
        if (max > MAX_DEPTH) {
          return max;
        }
        for (JsonNode c : n) {
          stack.push(new Object[] {c, d + 1});
        }
      }
    }
    return max;
  }

  /** A namespace field of a request: {@code _}, empty or the caller's own; 403 otherwise. */
  private static void ownNamespace(JsonNode v, String caller, String what) {
    if (v == null || v.isNull()) {
      return;
    }
    String ns = v.asText();
    if (ns.isEmpty() || ns.equals("_") || ns.equals(caller)) {
      return;
    }
    throw new Rejection(
        403,
        what
            + " names the namespace '"
            + ns
            + "': a route may only map web actions of your own namespace '"
            + caller
            + "'.");
  }

  /** The response type from a query parameter; json when absent. */
  public static String responseType(String given) {
    if (given == null || given.isEmpty()) {
      return "json";
    }
    String t = given.toLowerCase(Locale.ROOT);
    if (!RESPONSE_TYPES.contains(t)) {
      throw bad(
          "The response type '"
              + given
              + "' is not supported: expected one of json, http, html, svg, text.");
    }
    return t;
  }

  /** The operation (HTTP method) given, lower-case, or a 400 naming it. */
  public static String operation(String given) {
    String op = given == null ? "" : given.toLowerCase(Locale.ROOT);
    if (!OPERATIONS.contains(op)) {
      throw bad(
          "The operation '"
              + given
              + "' is not supported: expected one of GET, PUT, POST, DELETE, PATCH, HEAD,"
              + " OPTIONS.");
    }
    return op;
  }

  /**
   * The swagger document after {@code createApi} with {@code body} by {@code caller}: the whole
   * given swagger, or {@code existing} (null: a new API) with the one route of the apidoc added.
   * Throws {@link Rejection} (400, 403, 413) naming the bad value.
   */
  public static ObjectNode create(
      JsonNode body, String caller, String responseType, JsonNode existing, String apiBase) {
    if (body == null || !body.isObject()) {
      throw bad("The request body must be a JSON object with the field apidoc.");
    }
    ObjectNode doc = object(body.get("apidoc"), "apidoc");
    if (doc.get("namespace") == null || doc.get("namespace").asText().isEmpty()) {
      throw bad("apidoc is missing the namespace field.");
    }
    ownNamespace(doc.get("namespace"), caller, "apidoc");
    if (doc.hasNonNull("swagger")) {
      if (doc.hasNonNull("gatewayBasePath")) {
        throw bad(
            "swagger and gatewayBasePath are mutually exclusive and cannot be specified together.");
      }
      return normalise(object(doc.get("swagger"), "swagger"), caller, apiBase);
    }
    String basePath = check(RouteTemplate::checkBasePath, text(doc, "gatewayBasePath", "apidoc"));
    String relPath = text(doc, "gatewayPath", "apidoc");
    RouteTemplate template = check(RouteTemplate::parse, relPath);
    String op = operation(text(doc, "gatewayMethod", "apidoc"));
    JsonNode action = doc.get("action");
    if (action == null || !action.isObject()) {
      throw bad("apidoc is missing the action field.");
    }
    ownNamespace(action.get("namespace"), caller, "action");
    String name = text(action, "name", "action");
    Target target = target(name, responseType, caller);
    ObjectNode swagger;
    if (existing != null) {
      swagger = existing.deepCopy();
    } else {
      swagger = Json.MAPPER.createObjectNode();
      swagger.put("swagger", "2.0");
      ObjectNode info = swagger.putObject("info");
      JsonNode apiName = doc.get("apiName");
      info.put(
          "title",
          apiName != null && apiName.isTextual() && !apiName.asText().isEmpty()
              ? apiName.asText()
              : basePath);
      info.put("version", "1.0.0");
      swagger.put("basePath", basePath);
      swagger.putObject("paths");
    }
    ObjectNode paths = (ObjectNode) swagger.get("paths");
    ObjectNode ops =
        paths.get(template.text()) instanceof ObjectNode o ? o : paths.putObject(template.text());
    ops.set(op, operation(op, template, target, caller, apiBase));
    if (paths.size() > MAX_PATHS) {
      throw bad("The API has more relative paths than allowed: " + MAX_PATHS + ".");
    }
    checkShape(swagger, "The API");
    return swagger;
  }

  /**
   * Whether a {@code createApi} body (already accepted by {@link #create}) gives a whole swagger.
   */
  static boolean givesSwagger(JsonNode body) {
    return object(body.get("apidoc"), "apidoc").hasNonNull("swagger");
  }

  private static <T> T check(Function<String, T> f, String value) {
    try {
      return f.apply(value);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  /** {@code name} is {@code action} or {@code pkg/action} (or {@code /ns/[pkg/]action}). */
  static Target target(String name, String responseType, String caller) {
    String n = name;
    if (n.startsWith("/")) {
      String[] parts = n.substring(1).split("/", -1);
      if (parts.length < 2 || parts.length > 3) {
        throw bad("The action name '" + name + "' must be action, package/action or /ns/action.");
      }
      ownNamespace(Json.tree(parts[0]), caller, "The action name '" + name + "'");
      n = n.substring(parts[0].length() + 2);
    }
    String[] parts = n.split("/", -1);
    if (parts.length > 2) {
      throw bad("The action name '" + name + "' has too many parts.");
    }
    for (String p : parts) {
      if (!EntityPath.isLegalName(p)) {
        throw bad("The action name '" + name + "' contains illegal characters.");
      }
    }
    return parts.length == 2
        ? new Target(parts[0], parts[1], responseType)
        : new Target(null, parts[0], responseType);
  }

  private static ObjectNode operation(
      String op, RouteTemplate template, Target target, String caller, String apiBase) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("operationId", op + "_" + template.text());
    ObjectNode ow = o.putObject("x-openwhisk");
    ow.put("namespace", caller);
    ow.put("package", target.pkg() == null ? "default" : target.pkg());
    ow.put("action", target.action());
    ow.put(
        "url",
        apiBase
            + "/api/v1/web/"
            + caller
            + "/"
            + (target.pkg() == null ? "default" : target.pkg())
            + "/"
            + target.action()
            + "."
            + target.responseType());
    List<String> params = template.parameters();
    if (!params.isEmpty()) {
      ArrayNode ps = o.putArray("parameters");
      for (String p : params) {
        ObjectNode param = ps.addObject();
        param.put("name", p);
        param.put("in", "path");
        param.put("description", "Default description for '" + p + "'");
        param.put("required", true);
        param.put("type", "string");
      }
    }
    o.putObject("responses").putObject("default").put("description", "Default response");
    return o;
  }

  /**
   * Checks a whole swagger document given with {@code createApi} and rewrites each operation's
   * {@code x-openwhisk} for {@code caller} (its namespace must be {@code _}, empty or the
   * caller's).
   */
  static ObjectNode normalise(ObjectNode given, String caller, String apiBase) {
    JsonNode bp = given.get("basePath");
    if (bp == null || !bp.isTextual() || bp.asText().isEmpty()) {
      throw bad("swagger is missing the basePath field.");
    }
    String basePath = check(RouteTemplate::checkBasePath, bp.asText());
    JsonNode info = given.get("info");
    if (info == null || !info.isObject()) {
      throw bad("swagger is missing the info field.");
    }
    JsonNode paths = given.get("paths");
    if (paths == null || !paths.isObject()) {
      throw bad("swagger is missing the paths field.");
    }
    if (paths.size() > MAX_PATHS) {
      throw bad("swagger has more paths than allowed: " + paths.size() + " > " + MAX_PATHS + ".");
    }
    ObjectNode out = given.deepCopy();
    out.put("basePath", basePath);
    ObjectNode outPaths = Json.MAPPER.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      RouteTemplate template = check(RouteTemplate::parse, e.getKey());
      if (!e.getValue().isObject()) {
        throw bad("swagger path '" + e.getKey() + "' must be an object of operations.");
      }
      ObjectNode ops = Json.MAPPER.createObjectNode();
      for (Iterator<Map.Entry<String, JsonNode>> o = e.getValue().fields(); o.hasNext(); ) {
        Map.Entry<String, JsonNode> opEntry = o.next();
        String key = opEntry.getKey();
        if (key.startsWith("x-") || key.equals("parameters")) {
          ops.set(key, opEntry.getValue());
          continue;
        }
        String op;
        try {
          op = operation(key);
        } catch (Rejection r) {
          throw bad(
              "swagger path '"
                  + e.getKey()
                  + "' has the operation '"
                  + key
                  + "': expected one of get, put, post, delete, patch, head, options.");
        }
        if (!key.equals(op)) {
          throw bad(
              "swagger path '" + e.getKey() + "': operation '" + key + "' must be lower-case.");
        }
        JsonNode ow = opEntry.getValue().get("x-openwhisk");
        if (ow == null || !ow.isObject()) {
          throw bad(
              "swagger operation "
                  + key
                  + " "
                  + e.getKey()
                  + " is missing the x-openwhisk field (namespace, package, action, url).");
        }
        ownNamespace(ow.get("namespace"), caller, "swagger operation " + key + " " + e.getKey());
        String action = text(ow, "action", "swagger operation " + key + " " + e.getKey());
        JsonNode pkg = ow.get("package");
        String pkgName =
            pkg == null || pkg.isNull() || pkg.asText().isEmpty() || pkg.asText().equals("default")
                ? null
                : pkg.asText();
        String type = "json";
        JsonNode url = ow.get("url");
        if (url != null && url.isTextual()) {
          String u = url.asText();
          int dot = u.lastIndexOf('.');
          if (dot > u.lastIndexOf('/') && dot >= 0) {
            type = responseType(u.substring(dot + 1));
          }
        }
        Target target = target(pkgName == null ? action : pkgName + "/" + action, type, caller);
        ObjectNode rebuilt = operation(op, template, target, caller, apiBase);
        JsonNode opId = opEntry.getValue().get("operationId");
        if (opId != null && opId.isTextual()) {
          rebuilt.set("operationId", opId);
        }
        ops.set(op, rebuilt);
      }
      outPaths.set(template.text(), ops);
    }
    out.set("paths", outPaths);
    checkShape(out, "swagger");
    return out;
  }

  /** Each operation's target, by relative path then operation. */
  public static Map<String, Map<String, Target>> targets(JsonNode swagger) {
    Map<String, Map<String, Target>> out = new LinkedHashMap<>();
    JsonNode paths = swagger.path("paths");
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Map<String, Target> ops = new LinkedHashMap<>();
      for (String op : OPERATIONS) {
        JsonNode ow = e.getValue().path(op).path("x-openwhisk");
        if (ow.isObject()) {
          String pkg = ow.path("package").asText("default");
          String url = ow.path("url").asText("");
          String type = url.substring(url.lastIndexOf('.') + 1);
          ops.put(
              op,
              new Target(
                  pkg.equals("default") ? null : pkg,
                  ow.path("action").asText(),
                  RESPONSE_TYPES.contains(type) ? type : "json"));
        }
      }
      out.put(e.getKey(), ops);
    }
    return out;
  }

  /**
   * The swagger without {@code relPath} (all operations) or without its {@code op}; null when the
   * API has no path left. 404 when the path or operation is not in it.
   */
  public static ObjectNode remove(JsonNode swagger, String basePath, String relPath, String op) {
    ObjectNode out = swagger.deepCopy();
    ObjectNode paths = (ObjectNode) out.get("paths");
    JsonNode ops = paths.get(relPath);
    if (ops == null) {
      throw new Rejection(
          404, "relpath " + relPath + " does not exist in the API " + basePath + ".");
    }
    if (op == null) {
      paths.remove(relPath);
    } else {
      String o = operation(op);
      if (!ops.has(o)) {
        throw new Rejection(
            404,
            "relpath "
                + relPath
                + " with operation "
                + o.toUpperCase(Locale.ROOT)
                + " does not exist in the API "
                + basePath
                + ".");
      }
      ((ObjectNode) ops).remove(o);
      boolean left = false;
      for (String known : OPERATIONS) {
        left |= ops.has(known);
      }
      if (!left) {
        paths.remove(relPath);
      }
    }
    return paths.isEmpty() ? null : out;
  }

  /**
   * What OpenWhisk's route management answers for one API: {@code {namespace, gwApiActivated,
   * tenantId, gwApiUrl, apidoc}}; {@code relPath}/{@code op} (may be null) narrow the paths shown.
   */
  public static ObjectNode cliValue(ApiDoc api, String apiBase, String relPath, String op) {
    ObjectNode v = Json.MAPPER.createObjectNode();
    v.put("namespace", api.namespace());
    v.put("gwApiActivated", true);
    v.put("tenantId", api.namespace());
    v.put("gwApiUrl", apiBase + ApiRoutesHandler.GATEWAY_PREFIX + api.namespace() + api.basePath());
    ObjectNode swagger = api.swagger().deepCopy();
    if (relPath != null) {
      ObjectNode paths = (ObjectNode) swagger.get("paths");
      List<String> drop = new ArrayList<>();
      paths.fieldNames().forEachRemaining(p -> drop.add(p));
      for (String p : drop) {
        if (!p.equals(relPath)) {
          paths.remove(p);
        } else if (op != null) {
          ObjectNode ops = (ObjectNode) paths.get(p);
          for (String known : OPERATIONS) {
            if (!known.equals(op.toLowerCase(Locale.ROOT))) {
              ops.remove(known);
            }
          }
        }
      }
    }
    v.set("apidoc", swagger);
    return v;
  }
}
