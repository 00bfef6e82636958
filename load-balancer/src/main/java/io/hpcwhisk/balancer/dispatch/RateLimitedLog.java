package io.hpcwhisk.balancer.dispatch;

import java.time.InstantSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * A WARN line per key at most every {@code intervalMs}, saying how many were left out since the
 * last one: for what a pilot (or someone holding a pilot's credential) can make happen as often as
 * it likes. Not thread-safe; guarded by the dispatcher's lock.
 */
final class RateLimitedLog {

  private final Logger log;
  private final InstantSource clock;
  private final long intervalMs;
  private final Map<String, long[]> lastAndSuppressed = new HashMap<>();

  RateLimitedLog(Logger log, InstantSource clock, long intervalMs) {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be positive, got " + intervalMs);
    }
    this.log = log;
    this.clock = clock;
    this.intervalMs = intervalMs;
  }

  /**
   * Logs {@code format} with {@code args} at WARN unless a line for {@code key} was logged within
   * the interval.
   */
  void warn(String key, String format, Object... args) {
    long now = clock.millis();
    long[] state = lastAndSuppressed.computeIfAbsent(key, k -> new long[] {Long.MIN_VALUE, 0});
    if (state[0] != Long.MIN_VALUE && now - state[0] < intervalMs) {
      state[1]++;
      return;
    }
    long suppressed = state[1];
    state[0] = now;
    state[1] = 0;
    if (suppressed > 0) {
      log.warn(
          format + " ({} more like it since the last such line, not logged)",
          append(args, suppressed));
    } else {
      log.warn(format, args);
    }
  }

  private static Object[] append(Object[] args, Object... more) {
    Object[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }
}
