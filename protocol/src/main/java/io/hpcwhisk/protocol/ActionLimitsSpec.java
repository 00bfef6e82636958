package io.hpcwhisk.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An action's limits on the wire (OpenWhisk's {@code limits}: {@code timeout} ms, {@code memory}
 * MB, {@code logs} and result size in bytes).
 *
 * <p>{@code cores} ({@code limits.cpu}) and {@code gpus} (annotation {@code gpus}) are optional
 * fields added within minor 1: absent (0) means the action asks for none, and its runtime is
 * neither pinned nor given a GPU. A pilot that does not know them runs the action unpinned.
 */
public record ActionLimitsSpec(
    long timeoutMs,
    int memoryMb,
    long logBytes,
    long resultBytes,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int cores,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int gpus) {

  /** Limits that ask for no cores and no GPUs. */
  public ActionLimitsSpec(long timeoutMs, int memoryMb, long logBytes, long resultBytes) {
    this(timeoutMs, memoryMb, logBytes, resultBytes, 0, 0);
  }

  public ActionLimitsSpec {
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("timeoutMs must be positive, got " + timeoutMs);
    }
    if (memoryMb <= 0) {
      throw new IllegalArgumentException("memoryMb must be positive, got " + memoryMb);
    }
    if (logBytes < 0 || resultBytes <= 0) {
      throw new IllegalArgumentException(
          "logBytes/resultBytes must be positive, got " + logBytes + "/" + resultBytes);
    }
    if (cores < 0 || gpus < 0) {
      throw new IllegalArgumentException(
          "cores/gpus must not be negative, got " + cores + "/" + gpus);
    }
  }

  /** OpenWhisk's defaults: 60 s, 256 MB, 10 MB of logs, 1 MB of result. */
  public static ActionLimitsSpec defaults() {
    return new ActionLimitsSpec(60_000, 256, 10L * 1024 * 1024, 1024L * 1024);
  }
}
