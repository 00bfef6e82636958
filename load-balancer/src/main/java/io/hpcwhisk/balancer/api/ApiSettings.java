package io.hpcwhisk.balancer.api;

import io.hpcwhisk.balancer.entity.ActionLimits;

/**
 * The limits the API enforces on requests.
 *
 * @param maxPayloadBytes invoke/fire payloads and entity parameters (OpenWhisk: 1 MB)
 * @param maxCodeBytes an action PUT body with its code (OpenWhisk: 48 MB)
 * @param blockingWaitMillis how long a blocking invoke waits before it answers 202 (OpenWhisk: 60
 *     s)
 * @param maxSequenceLength components in a sequence, nested ones counted (OpenWhisk: 50)
 * @param maxActionTimeoutMillis the largest {@code limits.timeout} an action may ask for ({@code
 *     api.max-action-timeout-seconds}; OpenWhisk: 5 min)
 */
public record ApiSettings(
    long maxPayloadBytes,
    long maxCodeBytes,
    long blockingWaitMillis,
    int maxSequenceLength,
    int maxActionTimeoutMillis) {
  public static final ApiSettings DEFAULT = new ApiSettings(1_048_576, 48L * 1_048_576, 60_000, 50);

  /** With OpenWhisk's maximum action timeout, 5 minutes. */
  public ApiSettings(
      long maxPayloadBytes, long maxCodeBytes, long blockingWaitMillis, int maxSequenceLength) {
    this(
        maxPayloadBytes,
        maxCodeBytes,
        blockingWaitMillis,
        maxSequenceLength,
        ActionLimits.MAX_TIMEOUT);
  }

  public ApiSettings {
    if (maxPayloadBytes <= 0
        || maxCodeBytes <= 0
        || blockingWaitMillis <= 0
        || maxSequenceLength <= 0
        || maxActionTimeoutMillis < ActionLimits.MIN_TIMEOUT) {
      throw new IllegalArgumentException(
          "API settings must be positive: "
              + maxPayloadBytes
              + ", "
              + maxCodeBytes
              + ", "
              + blockingWaitMillis
              + ", "
              + maxSequenceLength
              + ", "
              + maxActionTimeoutMillis);
    }
  }
}
