package io.hpcwhisk.balancer.invoke;

import io.hpcwhisk.runtime.RuntimeConfig;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;

/** Chooses the dispatcher for {@code api.executor}: {@code local} or {@code none}. */
public final class Dispatchers {
  private Dispatchers() {}

  /**
   * The dispatcher named by {@code executor}; {@code local} keeps its runtimes' files under {@code
   * dataDir/runtimes} and lets them reserve {@code memoryMb} together.
   */
  public static ActivationDispatcher forExecutor(
      String executor, InstantSource clock, Supplier<String> apiHost, Path dataDir, int memoryMb) {
    return forExecutor(executor, clock, apiHost, dataDir, memoryMb, null);
  }

  /**
   * As above; {@code unsandboxedNamespace} is the local executor's single-tenant opt-out ({@code
   * api.local-unsandboxed-namespace}): without a working bubblewrap only that namespace's actions
   * run.
   */
  public static ActivationDispatcher forExecutor(
      String executor,
      InstantSource clock,
      Supplier<String> apiHost,
      Path dataDir,
      int memoryMb,
      String unsandboxedNamespace) {
    switch (executor) {
      case "none":
        return new NoExecutorDispatcher(clock, "api.executor is 'none'");
      case "local":
        // the data dir (the store with every user's keys, the pilot secret) is hidden from
        // sandboxed actions
        return new LocalRuntimeDispatcher(
            RuntimeConfig.defaults(dataDir.resolve("runtimes"), memoryMb)
                .withSandboxHidden(List.of(dataDir))
                .withUnsandboxedNamespace(unsandboxedNamespace),
            apiHost,
            clock);
      default:
        throw new IllegalArgumentException(
            "unknown executor '" + executor + "'; expected 'local' or 'none'");
    }
  }
}
