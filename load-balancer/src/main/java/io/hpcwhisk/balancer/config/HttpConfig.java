package io.hpcwhisk.balancer.config;

import io.hpcwhisk.configuration.Check;
import io.hpcwhisk.configuration.Copyable;

/**
 * The {@code http:} section: how the API's HTTP server protects itself from slow and greedy
 * clients.
 *
 * @param bodyDeadlineSeconds a request body must have arrived completely this long after its
 *     headers, else 408 and the connection is closed; default 60
 * @param minBodyBytesPerSecond after the first {@code body-grace-seconds}, a body must arrive at
 *     least this fast on average, else 408 and the connection is closed; 0 turns the check off;
 *     default 1024
 * @param bodyGraceSeconds how long a body may arrive slower than the minimum rate at its start;
 *     default 5
 * @param bodiesPerKey requests with a body still arriving, per API key; the next one gets 429;
 *     default 16
 * @param idleTimeoutSeconds Jetty's connector idle timeout: a connection with no traffic in either
 *     direction for this long is closed; default 30 (Jetty's own default, unchanged)
 * @param maxThreads the HTTP server's thread pool (API requests and pilot WebSocket frames);
 *     default 200
 */
public record HttpConfig(
    Integer bodyDeadlineSeconds,
    Integer minBodyBytesPerSecond,
    Integer bodyGraceSeconds,
    Integer bodiesPerKey,
    Integer idleTimeoutSeconds,
    Integer maxThreads)
    implements Copyable<HttpConfig> {
  public static final HttpConfig DEFAULT = new HttpConfig(null, null, null, null, null, null);

  public HttpConfig {
    bodyDeadlineSeconds =
        Check.range("http.body-deadline-seconds", bodyDeadlineSeconds, 60, 1, Integer.MAX_VALUE);
    minBodyBytesPerSecond =
        Check.range(
            "http.min-body-bytes-per-second", minBodyBytesPerSecond, 1024, 0, Integer.MAX_VALUE);
    bodyGraceSeconds =
        Check.range("http.body-grace-seconds", bodyGraceSeconds, 5, 0, Integer.MAX_VALUE);
    bodiesPerKey = Check.range("http.bodies-per-key", bodiesPerKey, 16, 1, Integer.MAX_VALUE);
    idleTimeoutSeconds =
        Check.range("http.idle-timeout-seconds", idleTimeoutSeconds, 30, 1, Integer.MAX_VALUE);
    maxThreads = Check.range("http.max-threads", maxThreads, 200, 16, Integer.MAX_VALUE);
  }
}
