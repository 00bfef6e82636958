package io.hpcwhisk.balancer.config;

import io.hpcwhisk.configuration.Check;
import io.hpcwhisk.configuration.Copyable;

/**
 * The {@code http:} section: how the API's HTTP server protects itself from slow and greedy
 * clients; each key's meaning and default: docs/admin-guide.md §7, "Slow and greedy clients (the
 * {@code http:} section)".
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
