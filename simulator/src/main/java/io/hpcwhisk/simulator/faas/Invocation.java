package io.hpcwhisk.simulator.faas;

/**
 * One activation request.
 *
 * @param arrivalMs when it arrives, milliseconds from the trace start
 * @param action the action's fully qualified name (the routing affinity key)
 * @param durationMs how long it runs once started on a warm runtime
 * @param memoryMb its memory limit
 */
public record Invocation(long arrivalMs, String action, long durationMs, int memoryMb) {

  public Invocation {
    if (arrivalMs < 0 || durationMs < 0 || memoryMb <= 0 || action == null || action.isBlank()) {
      throw new IllegalArgumentException("invocation needs arrival >= 0, duration >= 0, memory > 0 and an action, got "
          + arrivalMs + ", " + durationMs + ", " + memoryMb + ", " + action);
    }
  }
}
