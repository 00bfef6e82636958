package io.hpcwhisk.balancer.invoke;

import java.time.InstantSource;
import java.util.function.Supplier;

/** Chooses the dispatcher for {@code api.executor}: {@code local} or {@code none}. */
public final class Dispatchers {
  private Dispatchers() {}

  /** Whether this build can run actions locally (the runtime library is on the class path). */
  public static boolean localExecutorAvailable() {
    return false;
  }

  public static ActivationDispatcher forExecutor(String executor, InstantSource clock, Supplier<String> apiHost) {
    switch (executor) {
      case "none":
        return new NoExecutorDispatcher(clock, "api.executor is 'none'");
      case "local":
        return new NoExecutorDispatcher(clock, "the local runtime executor is not part of this build yet");
      default:
        throw new IllegalArgumentException("unknown executor '" + executor + "'; expected 'local' or 'none'");
    }
  }
}
