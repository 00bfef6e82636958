package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.auth.IdentityStore;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.IllegalEntityNameException;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.invoke.ActivationIds;
import io.hpcwhisk.balancer.store.postgres.StoreUnavailableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single Jetty handler of the API: request id, authentication, routing by path segments to the
 * collection classes, and OpenWhisk's error bodies. A collection answers with a {@link Reply} or a
 * future of one (blocking invocations); the handler writes it without blocking a thread meanwhile.
 */
public final class ApiHandler extends Handler.Abstract {

  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  static final String NO_ROUTE = "The requested resource could not be found.";

  private final IdentityStore identities;
  private final MetaApi meta;
  private final Map<String, Collection> collections;
  private final BodyReader bodies;

  /** One collection under {@code /api/v1/namespaces/{ns}/}. */
  interface Collection {
    Object handle(Call call);
  }

  /**
   * A collection the namespace summary ({@code GET /api/v1/namespaces/{ns}}) shows: every entity of
   * the namespace as the collection's list shows it, newest first.
   */
  interface Summarised {
    List<?> all(String namespace);
  }

  /** The collections of the namespace summary, in OpenWhisk's order. */
  static final List<String> SUMMARY = List.of("actions", "packages", "rules", "triggers");

  ApiHandler(
      IdentityStore identities,
      MetaApi meta,
      Map<String, Collection> collections,
      BodyReader bodies) {
    super(InvocationType.BLOCKING);
    this.identities = identities;
    this.meta = meta;
    this.collections = Map.copyOf(collections);
    this.bodies = bodies;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String requestId = requestId(request);
    response.getHeaders().put("X-Request-ID", requestId);
    // CORS as OpenWhisk answers it, so browser clients can call the API
    response.getHeaders().put("Access-Control-Allow-Origin", "*");
    if (request.getMethod().equals("OPTIONS")) {
      response.getHeaders().put("Access-Control-Allow-Methods", "GET, DELETE, POST, PUT, HEAD");
      response
          .getHeaders()
          .put(
              "Access-Control-Allow-Headers",
              "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent,"
                  + " X-Request-ID");
      write(response, Reply.of(200, null), callback);
      return true;
    }
    Optional<Identity> caller = hasBody(request) ? identify(request) : Optional.empty();
    if (caller.isEmpty()) {
      // no body, or one that is not read: the request is answered (a 401 for a bad key) without it
      answer(request, response, callback, requestId, null);
      return true;
    }
    boolean code = isActionPut(request);
    bodies.read(
        request,
        caller.get().uuid(),
        code,
        request.getComponents().getScheduler(),
        outcome -> onBody(request, response, callback, requestId, code, outcome));
    return true;
  }

  /** A PUT of an action (the only request whose body may be as large as an action's code). */
  private static boolean isActionPut(Request request) {
    if (!request.getMethod().equals("PUT")) {
      return false;
    }
    try {
      List<String> s = segments(request.getHttpURI().getPath());
      return s.size() > 5 && s.get(2).equals("namespaces") && s.get(4).equals("actions");
    } catch (RuntimeException e) {
      return false; // refused when routed
    }
  }

  private void onBody(
      Request request,
      Response response,
      Callback callback,
      String requestId,
      boolean code,
      BodyReader.Outcome outcome) {
    if (outcome instanceof BodyReader.Outcome.Body b) {
      answer(request, response, callback, requestId, b.bytes());
      return;
    }
    if (outcome instanceof BodyReader.Outcome.TooSlow t) {
      // counted as whisk_http_requests{status="408"}; logged at debug so an attacker cannot flood
      // the log
      LOG.debug(
          "request {} {} from {}: {} (request id {}); connection closed",
          request.getMethod(),
          request.getHttpURI().getPath(),
          Request.getRemoteAddr(request),
          t.message(),
          requestId);
    }
    JsonErrors.refuse(response, callback, bodies, outcome, code, "for this key", requestId);
  }

  /** True when the request says a body follows (a length above 0, or chunked). */
  private static boolean hasBody(Request request) {
    long length = request.getLength();
    return length > 0
        || (length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
  }

  private void answer(
      Request request, Response response, Callback callback, String requestId, byte[] body) {
    Object answer;
    try {
      answer = route(request, requestId, body);
    } catch (Rejection r) {
      answer = error(r.status(), r.getMessage(), requestId);
    } catch (IllegalEntityNameException e) {
      answer = error(400, e.getMessage(), requestId);
    } catch (StoreUnavailableException e) {
      answer = storeUnavailable(request, requestId, e);
    } catch (RuntimeException e) {
      LOG.error(
          "request {} {} failed (request id {})",
          request.getMethod(),
          request.getHttpURI().getPath(),
          requestId,
          e);
      answer = error(500, "There was an error processing your request.", requestId);
    }
    if (answer instanceof CompletableFuture<?> future) {
      future.whenComplete(
          (value, failure) -> {
            Reply reply;
            if (failure == null) {
              reply = (Reply) value;
            } else {
              Throwable cause =
                  failure instanceof CompletionException && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              reply =
                  cause instanceof Rejection r
                      ? error(r.status(), r.getMessage(), requestId)
                      : cause instanceof StoreUnavailableException u
                          ? storeUnavailable(request, requestId, u)
                          : error(500, "There was an error processing your request.", requestId);
            }
            write(response, reply, callback);
          });
    } else {
      write(response, (Reply) answer, callback);
    }
  }

  private static void write(Response response, Reply reply, Callback callback) {
    response.setStatus(reply.status());
    reply.headers().forEach((k, v) -> response.getHeaders().put(k, v));
    if (reply.body() == null) {
      response.write(true, null, callback);
      return;
    }
    byte[] bytes = Json.bytes(reply.body());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /**
   * The database store cannot be reached: 503, nothing of the request was committed (logged once
   * per request without a stack trace; the pool's timeout bounds the wait).
   */
  private static Reply storeUnavailable(Request request, String requestId, RuntimeException e) {
    LOG.warn(
        "request {} {} refused with 503, the store is unavailable (request id {}): {}",
        request.getMethod(),
        request.getHttpURI().getPath(),
        requestId,
        e.getMessage());
    return error(
            503,
            "The server's database is unavailable; the request was not carried out. Retry later.",
            requestId)
        .withHeader("Retry-After", "5");
  }

  static Reply error(int status, String message, String requestId) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("error", message);
    body.put("code", requestId);
    return Reply.of(status, body);
  }

  private static String requestId(Request request) {
    String given = request.getHeaders().get("X-Request-ID");
    return given != null && REQUEST_ID.matcher(given).matches() ? given : ActivationIds.next();
  }

  private Object route(Request request, String requestId, byte[] body) {
    String method = request.getMethod();
    if (request.getHttpURI().getParam() != null || request.getHttpURI().hasAmbiguousParameter()) {
      // ';' starts a path parameter in HTTP and is never legal in an OpenWhisk name
      throw new IllegalEntityNameException("The name of the entity contains illegal characters.");
    }
    List<String> segments = segments(request.getHttpURI().getPath());
    if (segments.isEmpty()) {
      return onlyGet(method, () -> meta.root());
    }
    if (!segments.get(0).equals("api") || segments.size() < 2 || !segments.get(1).equals("v1")) {
      return error(404, NO_ROUTE, requestId);
    }
    if (segments.size() == 2) {
      return onlyGet(method, () -> meta.apiV1());
    }
    if (!segments.get(2).equals("namespaces")) {
      return error(404, NO_ROUTE, requestId);
    }
    Identity caller = authenticate(request);
    if (segments.size() == 3) {
      return onlyGet(method, () -> Reply.ok(List.of(caller.namespace())));
    }
    String namespace = segments.get(3);
    if (namespace.equals("_")) {
      namespace = caller.namespace();
    } else {
      EntityPath.requireName(namespace, "namespace");
    }
    if (segments.size() == 4) {
      String ns = namespace;
      return onlyGet(method, () -> summary(caller, ns));
    }
    String collection = segments.get(4);
    if (collection.equals("limits") && segments.size() == 5) {
      String ns = namespace;
      return onlyGet(method, () -> meta.limits(caller, ns));
    }
    Collection target = collections.get(collection);
    if (target == null) {
      return error(404, NO_ROUTE, requestId);
    }
    return target.handle(
        new Call(
            request,
            method,
            namespace,
            segments.subList(5, segments.size()),
            caller,
            requestId,
            body));
  }

  /**
   * {@code GET /api/v1/namespaces/{ns}}: the namespace's actions, packages, rules and triggers, as
   * OpenWhisk's namespace summary ({@code wsk namespace get}); only the caller's own namespace (403
   * otherwise, as every other path of a foreign namespace that is not a published package).
   */
  private Reply summary(Identity caller, String namespace) {
    if (!caller.namespace().equals(namespace)) {
      throw Rejection.forbidden();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : SUMMARY) {
      out.put(name, ((Summarised) collections.get(name)).all(namespace));
    }
    return Reply.ok(out);
  }

  private static Reply onlyGet(String method, Supplier<Reply> get) {
    if (!method.equals("GET")) {
      throw new Rejection(405, "HTTP method not allowed, supported methods: GET");
    }
    return get.get();
  }

  /** Path segments, percent-decoded one by one (so {@code %2F} cannot split a name). */
  static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    if (rawPath == null) {
      return out;
    }
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(URIUtil.decodePath(s));
      }
    }
    return out;
  }

  private Identity authenticate(Request request) {
    return identify(request)
        .orElseThrow(
            () ->
                request.getHeaders().get(HttpHeader.AUTHORIZATION) == null
                        || request.getHeaders().get(HttpHeader.AUTHORIZATION).isBlank()
                    ? new Rejection(
                        401,
                        "The resource requires authentication, which was not supplied with the"
                            + " request.")
                    : new Rejection(401, "The supplied authentication is invalid."));
  }

  /** The caller named by a valid {@code Authorization: Basic} header, if any. */
  private Optional<Identity> identify(Request request) {
    return Callers.identify(request, identities);
  }
}
