package io.hpcwhisk.balancer.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.api.BodyReader;
import io.hpcwhisk.balancer.api.Callers;
import io.hpcwhisk.balancer.api.JsonErrors;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.auth.IdentityStore;
import io.hpcwhisk.balancer.entity.ApiDoc;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.SemVer;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.invoke.ActionResolver;
import io.hpcwhisk.balancer.invoke.ActivationIds;
import io.hpcwhisk.balancer.invoke.ResolvedAction;
import io.hpcwhisk.balancer.store.EntityStore;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API routes ({@code .../apimgmt/createApi|getApi|deleteApi} and serving {@code
 * /api/gw/{namespace}{basePath}{relPath}} as the owner's web action), in front of the web actions
 * handler, which gets every other path; what holds is stated in docs/user-guide.md, "API routes".
 */
public final class ApiRoutesHandler extends Handler.Wrapper {

  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutesHandler.class);

  /** Where routes are served: {@code /api/gw/{namespace}{basePath}{relPath}}. */
  public static final String GATEWAY_PREFIX = "/api/gw/";

  /** Where the route management calls arrive. */
  public static final String MGMT_PREFIX = "/api/v1/web/whisk.system/apimgmt/";

  static final String NO_ROUTE = "The requested resource could not be found.";
  static final String UNAUTHORIZED =
      "Authentication is possible but has failed or not yet been provided.";
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final EntityStore store;
  private final IdentityStore identities;
  private final ActionResolver resolver;
  private final BodyReader bodies;
  private final InstantSource clock;
  private final Object writeLock = new Object();

  public ApiRoutesHandler(
      EntityStore store,
      IdentityStore identities,
      ActionResolver resolver,
      BodyReader bodies,
      InstantSource clock,
      Handler next) {
    super(next);
    this.store = store;
    this.identities = identities;
    this.resolver = resolver;
    this.bodies = bodies;
    this.clock = clock;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if (path == null) {
      return super.handle(request, response, callback);
    }
    if (path.startsWith(MGMT_PREFIX)) {
      String op = path.substring(MGMT_PREFIX.length());
      int dot = op.indexOf('.');
      String ext = dot < 0 ? "" : op.substring(dot + 1);
      op = dot < 0 ? op : op.substring(0, dot);
      if (List.of("createApi", "getApi", "deleteApi").contains(op)
          && (ext.isEmpty() || ext.equals("json") || ext.equals("http"))) {
        manage(request, response, callback, op);
        return true;
      }
      return super.handle(request, response, callback);
    }
    if (path.startsWith(GATEWAY_PREFIX)) {
      return serve(request, response, callback, path);
    }
    return super.handle(request, response, callback);
  }

  // ---------------------------------------------------------------- route management

  private void manage(Request request, Response response, Callback callback, String op) {
    String requestId = requestId(request);
    response.getHeaders().put("X-Request-ID", requestId);
    Optional<Identity> caller = Callers.identify(request, identities);
    if (caller.isEmpty()) {
      LOG.info(
          "apimgmt {}: refused a request without a valid API key from {}",
          op,
          Request.getRemoteAddr(request));
      writeError(response, callback, 401, UNAUTHORIZED, requestId);
      return;
    }
    String expected =
        switch (op) {
          case "createApi" -> "POST";
          case "getApi" -> "GET";
          default -> "DELETE";
        };
    String method = request.getMethod();
    if (!method.equals(expected) && !(op.equals("createApi") && method.equals("PUT"))) {
      response.getHeaders().put(HttpHeader.ALLOW, expected);
      writeError(
          response,
          callback,
          405,
          "The method " + method + " is not allowed for " + op + ": use " + expected + ".",
          requestId);
      return;
    }
    Fields query;
    try {
      query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      writeError(response, callback, 400, "The query string is malformed.", requestId);
      return;
    }
    if (!op.equals("createApi")) {
      run(response, callback, requestId, () -> manage(op, request, caller.get(), query, null));
      return;
    }
    bodies.read(
        request,
        "apimgmt " + caller.get().namespace(),
        false,
        request.getComponents().getScheduler(),
        outcome -> {
          if (outcome instanceof BodyReader.Outcome.Body b) {
            run(
                response,
                callback,
                requestId,
                () -> manage(op, request, caller.get(), query, b.bytes()));
          } else {
            JsonErrors.refuse(
                response, callback, bodies, outcome, false, "for this key", requestId);
          }
        });
  }

  private interface Work {
    JsonNode run();
  }

  private static void run(Response response, Callback callback, String requestId, Work work) {
    JsonNode answer;
    try {
      answer = work.run();
    } catch (Rejection r) {
      if (r.status() == 403) {
        LOG.info("apimgmt refused ({}): {}", requestId, r.getMessage());
      }
      writeError(response, callback, r.status(), r.getMessage(), requestId);
      return;
    } catch (RuntimeException e) {
      LOG.error("apimgmt failed inside the server", e);
      writeError(response, callback, 500, "There was an error processing your request.", requestId);
      return;
    }
    byte[] bytes = Json.bytes(answer);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  private JsonNode manage(String op, Request request, Identity caller, Fields query, byte[] body) {
    String ns = caller.namespace();
    String given = query.getValue("namespace");
    if (given != null && !given.isEmpty() && !given.equals("_") && !given.equals(ns)) {
      LOG.info("apimgmt {}: {} asked for the namespace {}: refused", op, ns, given);
      throw new Rejection(
          403, "The namespace '" + given + "' is not yours: routes are managed per namespace.");
    }
    String apiBase = apiBase(request);
    return switch (op) {
      case "createApi" -> create(ns, query, body, apiBase);
      case "getApi" -> get(ns, query, apiBase);
      default -> delete(ns, query);
    };
  }

  private JsonNode create(String ns, Fields query, byte[] body, String apiBase) {
    JsonNode parsed;
    try {
      parsed = body.length == 0 ? null : Json.readContent(body);
    } catch (Json.LimitExceeded e) {
      throw Rejection.badRequest("The request body breaks a limit: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw Rejection.badRequest("The request body is not valid JSON.");
    }
    String responseType = ApiDocs.responseType(query.getValue("responsetype"));
    synchronized (writeLock) {
      // the base path decides which API document grows: the given swagger's or the apidoc's
      ObjectNode probe = ApiDocs.create(parsed, ns, responseType, null, apiBase);
      String basePath = probe.get("basePath").asText();
      EntityPath key = ApiDoc.pathFor(ns, basePath);
      Optional<ApiDoc> old = api(key);
      ObjectNode swagger =
          old.isEmpty() || ApiDocs.givesSwagger(parsed)
              ? probe
              : ApiDocs.create(parsed, ns, responseType, old.get().swagger(), apiBase);
      checkActions(ns, swagger);
      ApiDoc doc =
          new ApiDoc(
              ns,
              ApiDoc.nameFor(basePath),
              old.map(o -> SemVer.bump(o.version())).orElse(SemVer.INITIAL),
              basePath,
              swagger,
              clock.millis());
      store.put(key, doc);
      LOG.info(
          "apimgmt: {} wrote the API {} ({} paths)", ns, basePath, swagger.get("paths").size());
      return ApiDocs.cliValue(doc, apiBase, null, null);
    }
  }

  /** Every mapped action exists in {@code ns} (not through a binding) and is web-exported. */
  private void checkActions(String ns, JsonNode swagger) {
    for (var path : ApiDocs.targets(swagger).entrySet()) {
      for (var op : path.getValue().entrySet()) {
        EntityPath action = op.getValue().path(ns);
        ResolvedAction resolved;
        try {
          resolved = resolver.resolve(action, ns);
        } catch (Rejection e) {
          throw new Rejection(
              404,
              "The action "
                  + action
                  + " of the route "
                  + op.getKey().toUpperCase(Locale.ROOT)
                  + " "
                  + path.getKey()
                  + " does not exist.");
        }
        JsonNode web = KeyValue.find(resolved.action().annotations(), "web-export");
        if (!resolved.path().equals(action)
            || web == null
            || !web.isBoolean()
            || !web.booleanValue()) {
          throw Rejection.badRequest(
              "Action '"
                  + action
                  + "' is not a web action. Update it with the annotation web-export true (wsk"
                  + " action update --web true) to map it to a route.");
        }
      }
    }
  }

  private Optional<ApiDoc> api(EntityPath key) {
    Optional<WhiskEntity> e = store.get(key);
    return e.isPresent() && e.get() instanceof ApiDoc d ? Optional.of(d) : Optional.empty();
  }

  /** The caller's APIs, narrowed by base path (starts with /) or API name. */
  private List<ApiDoc> find(String ns, String basePathOrName) {
    List<ApiDoc> all = store.list(ns, ApiDoc.KEY_PACKAGE, ApiDoc.class);
    if (basePathOrName == null || basePathOrName.isEmpty()) {
      return all;
    }
    List<ApiDoc> out = new ArrayList<>();
    for (ApiDoc d : all) {
      boolean byPath = basePathOrName.startsWith("/");
      String bp = basePathOrName;
      if (byPath && bp.length() > 1 && bp.endsWith("/")) {
        bp = bp.substring(0, bp.length() - 1);
      }
      if (byPath
          ? d.basePath().equals(bp)
          : d.swagger().path("info").path("title").asText().equals(basePathOrName)) {
        out.add(d);
      }
    }
    return out;
  }

  private JsonNode get(String ns, Fields query, String apiBase) {
    String relPath = query.getValue("relpath");
    String op = query.getValue("operation");
    if (op != null && !op.isEmpty()) {
      ApiDocs.operation(op);
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode apis = out.putArray("apis");
    for (ApiDoc d : find(ns, query.getValue("basepath"))) {
      ObjectNode entry = apis.addObject();
      entry.put("id", "API:" + ns + ":" + d.basePath());
      entry.put("key", ns + ":" + d.basePath());
      entry.set(
          "value",
          ApiDocs.cliValue(
              d,
              apiBase,
              relPath == null || relPath.isEmpty() ? null : relPath,
              op == null || op.isEmpty() ? null : op));
    }
    return out;
  }

  private JsonNode delete(String ns, Fields query) {
    String basePath = query.getValue("basepath");
    if (basePath == null || basePath.isEmpty()) {
      throw Rejection.badRequest("basepath is required: the base path or the name of the API.");
    }
    String relPath = query.getValue("relpath");
    String op = query.getValue("operation");
    synchronized (writeLock) {
      List<ApiDoc> found = find(ns, basePath);
      if (found.isEmpty()) {
        throw new Rejection(404, "API '" + basePath + "' does not exist.");
      }
      for (ApiDoc d : found) {
        EntityPath key = ApiDoc.pathFor(ns, d.basePath());
        if (relPath == null || relPath.isEmpty()) {
          store.delete(key);
          LOG.info("apimgmt: {} deleted the API {}", ns, d.basePath());
          continue;
        }
        ObjectNode left =
            ApiDocs.remove(
                d.swagger(), d.basePath(), relPath, op == null || op.isEmpty() ? null : op);
        if (left == null) {
          store.delete(key);
        } else {
          store.put(
              key,
              new ApiDoc(
                  ns, d.name(), SemVer.bump(d.version()), d.basePath(), left, clock.millis()));
        }
        LOG.info("apimgmt: {} deleted {} {} of the API {}", ns, op, relPath, d.basePath());
      }
    }
    return Json.MAPPER.createObjectNode();
  }

  /** {@code scheme://authority} of the request, as the client reached the server. */
  private static String apiBase(Request request) {
    HttpURI uri = request.getHttpURI();
    String scheme = uri.getScheme() == null ? "http" : uri.getScheme();
    String authority = Request.getServerName(request) + ":" + Request.getServerPort(request);
    String host = Request.getServerName(request);
    if (host.contains(":") && !host.startsWith("[")) {
      authority = "[" + host + "]:" + Request.getServerPort(request);
    }
    return scheme + "://" + authority;
  }

  // ---------------------------------------------------------------- serving

  private boolean serve(Request request, Response response, Callback callback, String rawPath)
      throws Exception {
    String requestId = requestId(request);
    String tail = rawPath.substring(GATEWAY_PREFIX.length());
    int slash = tail.indexOf('/');
    String ns = decode(slash < 0 ? tail : tail.substring(0, slash));
    String rest = slash < 0 ? "" : tail.substring(slash);
    List<String> segments = RouteTemplate.rawSegments(rest);
    if (ns == null
        || !EntityPath.isLegalName(ns)
        || segments == null
        || request.getHttpURI().hasViolations()
        || request.getHttpURI().getParam() != null
        || hasPathParameters(request.getHttpURI())) {
      response.getHeaders().put("X-Request-ID", requestId);
      writeError(response, callback, 404, NO_ROUTE, requestId);
      return true;
    }
    Match match = match(ns, segments);
    if (match == null) {
      response.getHeaders().put("X-Request-ID", requestId);
      writeError(response, callback, 404, NO_ROUTE, requestId);
      return true;
    }
    String method = request.getMethod().toLowerCase(Locale.ROOT);
    ApiDocs.Target target = match.ops().get(method);
    if (target == null && method.equals("head")) {
      target = match.ops().get("get");
    }
    if (target == null) {
      StringJoiner allow = new StringJoiner(", ");
      match.ops().keySet().forEach(o -> allow.add(o.toUpperCase(Locale.ROOT)));
      if (method.equals("options")) {
        allow.add("OPTIONS");
      }
      response.getHeaders().put("X-Request-ID", requestId);
      response.getHeaders().put(HttpHeader.ALLOW, allow.toString());
      if (method.equals("options")) {
        response.getHeaders().put("Access-Control-Allow-Origin", "*");
        response.getHeaders().put("Access-Control-Allow-Methods", allow.toString());
        String asked = request.getHeaders().get("Access-Control-Request-Headers");
        response
            .getHeaders()
            .put(
                "Access-Control-Allow-Headers",
                asked == null
                    ? "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent"
                    : asked);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        response.write(true, null, callback);
        return true;
      }
      writeError(
          response,
          callback,
          405,
          "The method "
              + request.getMethod()
              + " is not allowed for this route: allowed are "
              + allow
              + ".",
          requestId);
      return true;
    }
    String webPath =
        "/api/v1/web/"
            + URIUtil.encodePath(ns)
            + "/"
            + URIUtil.encodePath(target.pkg() == null ? "default" : target.pkg())
            + "/"
            + URIUtil.encodePath(target.action())
            + "."
            + target.responseType()
            + (target.responseType().equals("http") ? match.relPath() : "");
    StringBuilder query = new StringBuilder();
    String original = request.getHttpURI().getQuery();
    if (original != null && !original.isEmpty()) {
      query.append(original);
    }
    for (Map.Entry<String, String> p : match.params().entrySet()) {
      if (!query.isEmpty()) {
        query.append('&');
      }
      query
          .append(URIUtil.encodePath(p.getKey()))
          .append('=')
          .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
    }
    HttpURI uri =
        HttpURI.build(request.getHttpURI())
            .path(webPath)
            .param(null)
            .query(query.isEmpty() ? null : query.toString())
            .asImmutable();
    Request forwarded =
        new Request.Wrapper(request) {
          @Override
          public HttpURI getHttpURI() {
            return uri;
          }
        };
    return super.handle(forwarded, response, callback);
  }

  /** A matched route: its operations, the path parameters, the relative path as requested. */
  record Match(Map<String, ApiDocs.Target> ops, Map<String, String> params, String relPath) {}

  /** The best route of {@code ns} for the request's segments after the namespace, or null. */
  Match match(String ns, List<String> segments) {
    List<ApiDoc> apis = new ArrayList<>(store.list(ns, ApiDoc.KEY_PACKAGE, ApiDoc.class));
    apis.sort(Comparator.comparingInt((ApiDoc d) -> -d.basePath().length()));
    for (ApiDoc api : apis) {
      List<String> base = RouteTemplate.rawSegments(api.basePath());
      if (base == null || base.size() > segments.size()) {
        continue;
      }
      boolean prefix = true;
      for (int i = 0; i < base.size() && prefix; i++) {
        prefix = base.get(i).equals(decode(segments.get(i)));
      }
      if (!prefix) {
        continue;
      }
      List<String> relSegments = segments.subList(base.size(), segments.size());
      Match best = null;
      int bestLiterals = -1;
      for (var entry : ApiDocs.targets(api.swagger()).entrySet()) {
        RouteTemplate t;
        try {
          t = RouteTemplate.parse(entry.getKey());
        } catch (IllegalArgumentException e) {
          continue;
        }
        Optional<Map<String, String>> params = t.match(relSegments);
        if (params.isPresent() && t.literals() > bestLiterals && !entry.getValue().isEmpty()) {
          bestLiterals = t.literals();
          best = new Match(entry.getValue(), params.get(), "/" + String.join("/", relSegments));
        }
      }
      if (best != null) {
        return best;
      }
    }
    return null;
  }

  /** True when any segment carries {@code ;parameters} (Jetty reports only the last one's). */
  private static boolean hasPathParameters(HttpURI uri) {
    String full = uri.asString();
    int query = full.indexOf('?');
    return (query < 0 ? full : full.substring(0, query)).contains(";");
  }

  private static String decode(String segment) {
    if (segment.isEmpty()) {
      return null;
    }
    try {
      return URIUtil.decodePath(segment);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String requestId(Request request) {
    String given = request.getHeaders().get("X-Request-ID");
    return given != null && REQUEST_ID.matcher(given).matches() ? given : ActivationIds.next();
  }

  private static void writeError(
      Response response, Callback callback, int status, String message, String requestId) {
    JsonErrors.write(response, callback, status, message, requestId);
  }
}
