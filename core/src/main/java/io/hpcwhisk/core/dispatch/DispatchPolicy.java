package io.hpcwhisk.core.dispatch;

import io.hpcwhisk.core.health.HealthPolicy;
import java.util.Objects;

/**
 * The dispatch rules' numbers (the balancer's {@code balancer.*} settings).
 *
 * @param health when a pilot is unresponsive, offline or unhealthy
 * @param ackTimeoutMs how long a pilot has to acknowledge an activation ({@code accepted})
 * @param leaseSlackMs what a lease adds to the action's timeout
 * @param maxQueued how many activations may wait for a pilot
 * @param queueWaitMs how long one may wait before it ends with a whisk error
 * @param maxAttempts how often a retry-safe activation may be started (and on how many pilots a
 *     runtime may fail to start); five times this bounds the sends of work that never starts
 * @param probeIntervalMs how often an unresponsive pilot is sent a {@code ping}
 */
public record DispatchPolicy(
    HealthPolicy health,
    long ackTimeoutMs,
    long leaseSlackMs,
    int maxQueued,
    long queueWaitMs,
    int maxAttempts,
    long probeIntervalMs) {

  /** How often an unresponsive pilot is probed, unless told otherwise. */
  public static final long PROBE_INTERVAL_MS = 1000;

  public DispatchPolicy(
      HealthPolicy health,
      long ackTimeoutMs,
      long leaseSlackMs,
      int maxQueued,
      long queueWaitMs,
      int maxAttempts) {
    this(
        health, ackTimeoutMs, leaseSlackMs, maxQueued, queueWaitMs, maxAttempts, PROBE_INTERVAL_MS);
  }

  /** The wait limit in seconds, as the balancer's setting and its error message say it. */
  public String queueWaitSeconds() {
    return queueWaitMs % 1000 == 0
        ? Long.toString(queueWaitMs / 1000)
        : Double.toString(queueWaitMs / 1000.0);
  }

  public DispatchPolicy {
    Objects.requireNonNull(health, "health");
    if (ackTimeoutMs < 1
        || leaseSlackMs < 0
        || maxQueued < 1
        || queueWaitMs < 1
        || maxAttempts < 1
        || probeIntervalMs < 1) {
      throw new IllegalArgumentException(
          "dispatch policy: ack timeout, max queued, queue wait, max attempts and probe"
              + " interval must be positive and the lease slack not negative, got "
              + ackTimeoutMs
              + " ms, "
              + maxQueued
              + ", "
              + queueWaitMs
              + " ms, "
              + maxAttempts
              + ", "
              + probeIntervalMs
              + " ms, "
              + leaseSlackMs
              + " ms");
    }
  }
}
