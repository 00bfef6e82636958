package io.hpcwhisk.simulator.faas;

/**
 * One activation request.
 *
 * @param arrivalMs when it arrives, milliseconds from the trace start
 * @param action the action's fully qualified name (the routing affinity key)
 * @param durationMs how long it runs once started on a warm runtime
 * @param memoryMb its memory limit
 * @param retrySafe whether it may run again after its pilot was lost while running it (annotation
 *     {@code retry-safe}, default true)
 */
public record Invocation(
    long arrivalMs, String action, long durationMs, int memoryMb, boolean retrySafe) {

  /** A retry-safe invocation. */
  public Invocation(long arrivalMs, String action, long durationMs, int memoryMb) {
    this(arrivalMs, action, durationMs, memoryMb, true);
  }

  public Invocation {
    if (arrivalMs < 0 || durationMs < 0 || memoryMb <= 0 || action == null || action.isBlank()) {
      throw new IllegalArgumentException(
          "invocation needs arrival >= 0, duration >= 0, memory > 0 and an action, got "
              + arrivalMs
              + ", "
              + durationMs
              + ", "
              + memoryMb
              + ", "
              + action);
    }
  }
}
