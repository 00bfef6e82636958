package io.hpcwhisk.protocol;

/**
 * An action's limits on the wire (OpenWhisk's {@code limits}: {@code timeout} ms, {@code memory}
 * MB, {@code logs} and result size in bytes).
 */
public record ActionLimitsSpec(long timeoutMs, int memoryMb, long logBytes, long resultBytes) {

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
  }

  /** OpenWhisk's defaults: 60 s, 256 MB, 10 MB of logs, 1 MB of result. */
  public static ActionLimitsSpec defaults() {
    return new ActionLimitsSpec(60_000, 256, 10L * 1024 * 1024, 1024L * 1024);
  }
}
