package io.hpcwhisk.core.health;

import java.time.Duration;

/**
 * The thresholds of the health state machine.
 *
 * @param offlineAfter silence after which a pilot is offline (default 3 s; OpenWhisk uses 10 s with 1 s pings)
 * @param window how many recent activation outcomes are remembered (default 10, as OpenWhisk's ring buffer)
 * @param maxFailures more than this many system errors (or timeouts) in the window makes a pilot
 *     unhealthy (or unresponsive); default 3, as OpenWhisk
 */
public record HealthPolicy(Duration offlineAfter, int window, int maxFailures) {

  public static final HealthPolicy DEFAULT = new HealthPolicy(Duration.ofSeconds(3), 10, 3);

  public HealthPolicy {
    if (offlineAfter == null || offlineAfter.isNegative() || offlineAfter.isZero()) {
      throw new IllegalArgumentException("offlineAfter " + offlineAfter + " must be a positive duration");
    }
    if (window < 1) {
      throw new IllegalArgumentException("window " + window + " must be at least 1");
    }
    if (maxFailures < 0 || maxFailures >= window) {
      throw new IllegalArgumentException("maxFailures " + maxFailures + " must be in 0.." + (window - 1));
    }
  }
}
