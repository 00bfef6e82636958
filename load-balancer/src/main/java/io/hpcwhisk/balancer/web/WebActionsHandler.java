package io.hpcwhisk.balancer.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.api.ApiSettings;
import io.hpcwhisk.balancer.api.BodyReader;
import io.hpcwhisk.balancer.api.Callers;
import io.hpcwhisk.balancer.api.JsonErrors;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.auth.IdentityStore;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.invoke.ActionResolver;
import io.hpcwhisk.balancer.invoke.ActivationIds;
import io.hpcwhisk.balancer.invoke.ActivationService;
import io.hpcwhisk.balancer.invoke.ResolvedAction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /api/v1/web/...} in front of the API handler (every other path goes to it): parses
 * the URL ({@link WebPath}), reads the body through the API's {@link BodyReader}, invokes the
 * web-exported action as its owner through {@link ActivationService} with the argument {@link
 * WebParams} builds, and shapes the answer ({@link WebResult}); what holds (one 404 for every
 * hidden action, CORS, {@code require-whisk-auth} compared in constant time, no secret or caller's
 * key in {@code __ow_headers} or a log line) is stated in docs/user-guide.md, "Web actions".
 */
public final class WebActionsHandler extends Handler.Wrapper {

  private static final Logger LOG = LoggerFactory.getLogger(WebActionsHandler.class);
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  static final String NO_ROUTE = "The requested resource could not be found.";
  static final String UNAUTHORIZED =
      "Authentication is possible but has failed or not yet been provided.";
  static final String NOT_READY = "Response not yet ready.";
  static final String ALLOW_METHODS = "OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH";
  static final String ALLOW_HEADERS =
      "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent";
  static final String SECRET_HEADER = "X-Require-Whisk-Auth";

  private final IdentityStore identities;
  private final ActionResolver resolver;
  private final ActivationService activations;
  private final ApiSettings settings;
  private final BodyReader bodies;

  public WebActionsHandler(
      IdentityStore identities,
      ActionResolver resolver,
      ActivationService activations,
      ApiSettings settings,
      BodyReader bodies,
      Handler next) {
    super(next);
    this.identities = identities;
    this.resolver = resolver;
    this.activations = activations;
    this.settings = settings;
    this.bodies = bodies;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String rawPath = request.getHttpURI().getPath();
    if (rawPath == null || !(rawPath.startsWith(WebPath.PREFIX) || rawPath.equals("/api/v1/web"))) {
      return super.handle(request, response, callback);
    }
    String requestId = requestId(request);
    response.getHeaders().put("X-Request-ID", requestId);
    Optional<WebPath> path =
        request.getHttpURI().getParam() != null || request.getHttpURI().hasViolations()
            ? Optional.empty()
            : WebPath.parse(rawPath);
    if (path.isEmpty()) {
      writeError(response, callback, 404, NO_ROUTE, requestId);
      return true;
    }
    if (!hasBody(request)) {
      answer(request, response, callback, requestId, path.get(), new byte[0]);
      return true;
    }
    bodies.read(
        request,
        "web " + Request.getRemoteAddr(request),
        false,
        request.getComponents().getScheduler(),
        outcome -> {
          if (outcome instanceof BodyReader.Outcome.Body b) {
            answer(request, response, callback, requestId, path.get(), b.bytes());
          } else {
            JsonErrors.refuse(
                response, callback, bodies, outcome, false, "from this address", requestId);
          }
        });
    return true;
  }

  private static boolean hasBody(Request request) {
    long length = request.getLength();
    return length > 0
        || (length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
  }

  private void answer(
      Request request,
      Response response,
      Callback callback,
      String requestId,
      WebPath path,
      byte[] body) {
    try {
      Object answer = route(request, response, path, body);
      if (answer instanceof WebResult.Outcome o) {
        write(request, response, callback, o, requestId);
      } else {
        @SuppressWarnings("unchecked")
        CompletableFuture<WebResult.Outcome> future = (CompletableFuture<WebResult.Outcome>) answer;
        future.whenComplete(
            (o, failure) -> {
              if (failure == null) {
                write(request, response, callback, o, requestId);
              } else {
                write(request, response, callback, failureOutcome(failure, path), requestId);
              }
            });
      }
    } catch (RuntimeException e) {
      write(request, response, callback, failureOutcome(e, path), requestId);
    }
  }

  private static WebResult.Outcome failureOutcome(Throwable failure, WebPath path) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof Rejection r) {
      return new WebResult.Failure(r.status(), r.getMessage());
    }
    LOG.error("web action {} failed inside the server", path.action().path(), cause);
    return new WebResult.Failure(500, "There was an error processing your request.");
  }

  /** A future of the outcome, or the outcome itself when no action runs. */
  private Object route(Request request, Response response, WebPath path, byte[] body) {
    EntityPath name = path.action();
    Optional<Identity> owner = identities.owner(name.namespace());
    if (owner.isEmpty()) {
      return new WebResult.Failure(404, Rejection.NOT_FOUND);
    }
    ResolvedAction action;
    try {
      action = resolver.resolve(name, name.namespace());
    } catch (Rejection e) {
      return new WebResult.Failure(404, Rejection.NOT_FOUND);
    }
    if (!action.path().equals(name) || !isTrue(action, "web-export")) {
      return new WebResult.Failure(404, Rejection.NOT_FOUND);
    }
    boolean customOptions = isTrue(action, "web-custom-options");
    boolean options = request.getMethod().equals("OPTIONS");
    Optional<Identity> caller = identify(request);
    if (!customOptions) {
      String asked = request.getHeaders().get("Access-Control-Request-Headers");
      response.getHeaders().put("Access-Control-Allow-Origin", "*");
      response.getHeaders().put("Access-Control-Allow-Methods", ALLOW_METHODS);
      response
          .getHeaders()
          .put("Access-Control-Allow-Headers", asked == null ? ALLOW_HEADERS : asked);
      if (options) {
        return new WebResult.Ok(200, List.of(), null, new byte[0]);
      }
    }
    if (!options || !customOptions) {
      if (!authorized(action, request, caller)) {
        LOG.debug(
            "web action {}: require-whisk-auth refused a request from {}",
            name.path(),
            Request.getRemoteAddr(request));
        return new WebResult.Failure(401, UNAUTHORIZED);
      }
    }
    boolean raw = isTrue(action, "raw-http");
    Set<String> finalNames = new HashSet<>();
    if (truthy(KeyValue.find(action.action().annotations(), "final"))) {
      action.parameters().forEach(kv -> finalNames.add(kv.key()));
    }
    ObjectNode payload =
        WebParams.build(
            new WebParams.Request(
                request.getMethod(),
                headers(request, caller.isPresent()),
                path.rest(),
                request.getHttpURI().getQuery(),
                request.getHeaders().get(HttpHeader.CONTENT_TYPE),
                body,
                caller.map(Identity::namespace).orElse(null)),
            raw,
            finalNames);
    ActivationService.Accepted accepted = activations.invoke(owner.get(), name, payload, true);
    String id = accepted.activationId();
    return accepted
        .record()
        .copy()
        .orTimeout(settings.blockingWaitMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (record, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(withActivationId(shape(path, record), id));
              }
              Throwable cause =
                  failure instanceof CompletionException && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              if (cause instanceof TimeoutException) {
                return accepted
                    .durable()
                    .get()
                    .thenApply(
                        v ->
                            (WebResult.Outcome)
                                new Accepted202(new WebResult.Failure(202, NOT_READY), id));
              }
              return CompletableFuture.<WebResult.Outcome>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  /** An outcome with the activation's id to send as {@code x-openwhisk-activation-id}. */
  private record Accepted202(WebResult.Outcome outcome, String activationId)
      implements WebResult.Outcome {}

  private static WebResult.Outcome withActivationId(WebResult.Outcome o, String id) {
    return new Accepted202(o, id);
  }

  private static WebResult.Outcome shape(WebPath path, ActivationRecord record) {
    JsonNode result = record.response().result();
    return WebResult.of(
        path.extension(), path.projection(), record.response().statusCode(), result);
  }

  private static boolean isTrue(ResolvedAction action, String annotation) {
    JsonNode v = KeyValue.find(action.action().annotations(), annotation);
    return v != null && v.isBoolean() && v.booleanValue();
  }

  /** OpenWhisk's truthiness: true, a non-zero number or a non-empty string. */
  static boolean truthy(JsonNode v) {
    if (v == null || v.isNull()) {
      return false;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isNumber()) {
      return v.decimalValue().signum() != 0;
    }
    if (v.isTextual()) {
      return !v.asText().isEmpty();
    }
    return true;
  }

  /**
   * {@code require-whisk-auth}: absent, null or false → anyone; true → a caller with a valid API
   * key; a string or a number → the {@code X-Require-Whisk-Auth} header must equal it (compared as
   * SHA-256 digests, in constant time whatever the lengths); anything else → nobody.
   */
  static boolean authorized(ResolvedAction action, Request request, Optional<Identity> caller) {
    JsonNode v = KeyValue.find(action.action().annotations(), "require-whisk-auth");
    if (v == null || v.isNull() || (v.isBoolean() && !v.booleanValue())) {
      return true;
    }
    if (v.isBoolean()) {
      return caller.isPresent();
    }
    String expected;
    if (v.isTextual()) {
      expected = v.asText();
    } else if (v.isIntegralNumber()) {
      expected = v.bigIntegerValue().toString();
    } else if (v.isNumber()) {
      expected = v.decimalValue().toPlainString();
    } else {
      return false;
    }
    String given = request.getHeaders().get(SECRET_HEADER);
    return secretMatches(expected, given);
  }

  /** Constant-time comparison of SHA-256 digests; a missing secret never matches. */
  static boolean secretMatches(String expected, String given) {
    byte[] e = sha256(expected);
    byte[] g = sha256(given == null ? "" : given);
    return MessageDigest.isEqual(e, g) && given != null;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The request's headers for {@code __ow_headers}: lower-case names, repeated ones joined; without
   * the {@code require-whisk-auth} secret, and without {@code Authorization} when it carried the
   * caller's valid API key (the action's owner must not get another user's key).
   */
  private static Map<String, String> headers(Request request, boolean authenticated) {
    Map<String, String> out = new LinkedHashMap<>();
    for (HttpField f : request.getHeaders()) {
      String name = f.getName().toLowerCase(Locale.ROOT);
      if (name.equals("x-require-whisk-auth") || (authenticated && name.equals("authorization"))) {
        continue;
      }
      out.merge(name, f.getValue() == null ? "" : f.getValue(), (a, b) -> a + ", " + b);
    }
    return out;
  }

  /** The caller named by a valid {@code Authorization: Basic} header, if any. */
  private Optional<Identity> identify(Request request) {
    return Callers.identify(request, identities);
  }

  private static String requestId(Request request) {
    String given = request.getHeaders().get("X-Request-ID");
    return given != null && REQUEST_ID.matcher(given).matches() ? given : ActivationIds.next();
  }

  private static void write(
      Request request,
      Response response,
      Callback callback,
      WebResult.Outcome outcome,
      String requestId) {
    WebResult.Outcome o = outcome;
    if (o instanceof Accepted202 a) {
      response.getHeaders().put("x-openwhisk-activation-id", a.activationId());
      o = a.outcome();
    }
    if (o instanceof WebResult.Failure f) {
      writeError(response, callback, f.status(), f.message(), requestId);
      return;
    }
    WebResult.Ok ok = (WebResult.Ok) o;
    response.setStatus(ok.status());
    Set<String> seen = new HashSet<>();
    for (WebResult.Header h : ok.headers()) {
      if (seen.add(h.name().toLowerCase(Locale.ROOT))) {
        response.getHeaders().put(h.name(), h.value());
      } else {
        response.getHeaders().add(h.name(), h.value());
      }
    }
    boolean noBody = ok.status() == 204 || ok.status() == 304 || ok.body().length == 0;
    if (noBody) {
      response.getHeaders().remove(HttpHeader.CONTENT_TYPE);
      if (ok.status() != 204 && ok.status() != 304) {
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
      }
      response.write(true, null, callback);
      return;
    }
    if (ok.contentType() != null) {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, ok.contentType());
    }
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) ok.body().length);
    if (request.getMethod().equals("HEAD")) {
      response.write(true, null, callback);
      return;
    }
    response.write(true, ByteBuffer.wrap(ok.body()), callback);
  }

  private static void writeError(
      Response response, Callback callback, int status, String message, String requestId) {
    JsonErrors.write(response, callback, status, message, requestId);
  }
}
