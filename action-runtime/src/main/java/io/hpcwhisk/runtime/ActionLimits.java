package io.hpcwhisk.runtime;

import java.time.Duration;

/**
 * The limits of one action, as OpenWhisk's {@code limits}: time, memory, log bytes per activation
 * and result bytes. Defaults: 60 s, 256 MB, 10 MB of logs, 1 MB of result. {@code cores} and {@code
 * gpus}: what its runtime takes from the {@link DevicePool} (0: none; the runtime is then not
 * pinned and sees no GPU).
 */
public record ActionLimits(
    Duration timeout, int memoryMb, long logBytes, long resultBytes, int cores, int gpus) {

  /** Limits that ask for no cores and no GPUs. */
  public ActionLimits(Duration timeout, int memoryMb, long logBytes, long resultBytes) {
    this(timeout, memoryMb, logBytes, resultBytes, 0, 0);
  }

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MEMORY_MB = 256;
  public static final long DEFAULT_LOG_BYTES = 10L * 1024 * 1024;
  public static final long DEFAULT_RESULT_BYTES = 1024L * 1024;

  public ActionLimits {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (memoryMb < 16) {
      throw new IllegalArgumentException("memoryMb must be at least 16, got " + memoryMb);
    }
    if (logBytes < 0) {
      throw new IllegalArgumentException("logBytes must not be negative, got " + logBytes);
    }
    if (resultBytes < 2) {
      throw new IllegalArgumentException("resultBytes must be at least 2, got " + resultBytes);
    }
    if (cores < 0 || gpus < 0) {
      throw new IllegalArgumentException(
          "cores and gpus must not be negative, got " + cores + "/" + gpus);
    }
  }

  /** OpenWhisk's defaults. */
  public static ActionLimits defaults() {
    return new ActionLimits(
        DEFAULT_TIMEOUT, DEFAULT_MEMORY_MB, DEFAULT_LOG_BYTES, DEFAULT_RESULT_BYTES);
  }

  public ActionLimits withTimeout(Duration value) {
    return new ActionLimits(value, memoryMb, logBytes, resultBytes, cores, gpus);
  }

  public ActionLimits withMemoryMb(int value) {
    return new ActionLimits(timeout, value, logBytes, resultBytes, cores, gpus);
  }

  public ActionLimits withLogBytes(long value) {
    return new ActionLimits(timeout, memoryMb, value, resultBytes, cores, gpus);
  }

  public ActionLimits withDevices(int cores, int gpus) {
    return new ActionLimits(timeout, memoryMb, logBytes, resultBytes, cores, gpus);
  }

  public ActionLimits withResultBytes(long value) {
    return new ActionLimits(timeout, memoryMb, logBytes, value, cores, gpus);
  }
}
