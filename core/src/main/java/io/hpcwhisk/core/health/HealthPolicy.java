package io.hpcwhisk.core.health;

import java.time.Duration;

/**
 * The thresholds of the health state machine.
 *
 * @param offlineAfter silence after which a pilot is offline (default 3 s; OpenWhisk uses 10 s with
 *     1 s pings)
 * @param unresponsiveAfter silence after which a pilot is unresponsive (gets nothing new) until its
 *     next heartbeat; at most {@code offlineAfter} (equal: never by silence alone); default two
 *     thirds of it
 * @param window how many recent activation outcomes are remembered (default 10, as OpenWhisk's ring
 *     buffer)
 * @param maxFailures more than this many system errors (or timeouts) in the window makes a pilot
 *     unhealthy (or unresponsive); default 3, as OpenWhisk
 * @param startFailureCooldown how long a pilot that could not start a runtime stays unhealthy
 *     (default 30 s)
 */
public record HealthPolicy(
    Duration offlineAfter,
    Duration unresponsiveAfter,
    int window,
    int maxFailures,
    Duration startFailureCooldown) {

  public static final HealthPolicy DEFAULT = new HealthPolicy(Duration.ofSeconds(3), 10, 3);

  /**
   * Unresponsive after two thirds of {@code offlineAfter} of silence, 30 s start-failure cooldown.
   */
  public HealthPolicy(Duration offlineAfter, int window, int maxFailures) {
    this(
        offlineAfter,
        offlineAfter == null ? null : offlineAfter.multipliedBy(2).dividedBy(3),
        window,
        maxFailures,
        Duration.ofSeconds(30));
  }

  public HealthPolicy {
    if (offlineAfter == null || offlineAfter.isNegative() || offlineAfter.isZero()) {
      throw new IllegalArgumentException(
          "offlineAfter " + offlineAfter + " must be a positive duration");
    }
    if (unresponsiveAfter == null
        || unresponsiveAfter.isNegative()
        || unresponsiveAfter.isZero()
        || unresponsiveAfter.compareTo(offlineAfter) > 0) {
      throw new IllegalArgumentException(
          "unresponsiveAfter "
              + unresponsiveAfter
              + " must be positive and at most"
              + " offlineAfter "
              + offlineAfter);
    }
    if (startFailureCooldown == null || startFailureCooldown.isNegative()) {
      throw new IllegalArgumentException(
          "startFailureCooldown " + startFailureCooldown + " must not be negative");
    }
    if (window < 1) {
      throw new IllegalArgumentException("window " + window + " must be at least 1");
    }
    if (maxFailures < 0 || maxFailures >= window) {
      throw new IllegalArgumentException(
          "maxFailures " + maxFailures + " must be in 0.." + (window - 1));
    }
  }
}
