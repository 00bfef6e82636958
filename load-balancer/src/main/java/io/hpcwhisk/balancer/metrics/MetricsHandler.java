package io.hpcwhisk.balancer.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves {@code GET /metrics} (Prometheus text, no authentication: bind the server to a trusted
 * address) and times every other request as {@code whisk_http_requests{method,route,status}}, where
 * the route is the path's shape ({@code /api/v1/namespaces/{ns}/actions/{name}}) and a method the
 * API does not know is {@code other}, so the number of time series stays bounded whatever clients
 * send.
 */
public final class MetricsHandler extends Handler.Wrapper {

  private final PrometheusMeterRegistry prometheus;
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public MetricsHandler(PrometheusMeterRegistry prometheus, Handler next) {
    super(next);
    this.prometheus = prometheus;
    this.registry = prometheus;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if ("/metrics".equals(path) && "GET".equals(request.getMethod())) {
      byte[] body = prometheus.scrape().getBytes(StandardCharsets.UTF_8);
      response.setStatus(200);
      response
          .getHeaders()
          .put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }
    // the pilots' WebSocket is on a connector of its own (not behind this handler): every request
    // here is timed
    long start = System.nanoTime();
    String method = request.getMethod();
    Callback timed =
        new Callback() {
          @Override
          public void succeeded() {
            record(method, path, response.getStatus(), start);
            callback.succeeded();
          }

          @Override
          public void failed(Throwable x) {
            record(method, path, response.getStatus(), start);
            callback.failed(x);
          }

          @Override
          public InvocationType getInvocationType() {
            return callback.getInvocationType();
          }
        };
    return super.handle(request, response, timed);
  }

  private void record(String rawMethod, String path, int status, long start) {
    String route = route(path);
    String method = method(rawMethod);
    String key = method + ' ' + route + ' ' + status;
    Timer timer =
        timers.computeIfAbsent(
            key,
            k ->
                Timer.builder("whisk_http_requests")
                    .tag("method", method)
                    .tag("route", route)
                    .tag("status", Integer.toString(status))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(50_000))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry));
    timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");

  /**
   * The method as a label: one of the HTTP methods the API knows, every other token (any case)
   * {@code other}.
   */
  static String method(String method) {
    return method != null && METHODS.contains(method) ? method : "other";
  }

  /** The shape of an API path: names replaced by placeholders, unknown paths as {@code other}. */
  static String route(String path) {
    if (path == null || path.equals("/")) {
      return "/";
    }
    List<String> s = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
    if (s.size() < 2 || !s.get(0).equals("api") || !s.get(1).equals("v1")) {
      return "other";
    }
    if (s.size() == 2) {
      return "/api/v1";
    }
    if (!s.get(2).equals("namespaces")) {
      return "other";
    }
    if (s.size() == 3) {
      return "/api/v1/namespaces";
    }
    if (s.size() == 4) {
      return "/api/v1/namespaces/{ns}";
    }
    String collection =
        switch (s.get(4)) {
          case "actions", "packages", "triggers", "rules", "activations", "limits" -> s.get(4);
          default -> "other";
        };
    StringBuilder r = new StringBuilder("/api/v1/namespaces/{ns}/").append(collection);
    if (s.size() > 5) {
      r.append("/{name}");
    }
    if (collection.equals("activations") && s.size() > 6) {
      r.append('/')
          .append(s.get(6).equals("logs") || s.get(6).equals("result") ? s.get(6) : "other");
    }
    return r.toString();
  }
}
