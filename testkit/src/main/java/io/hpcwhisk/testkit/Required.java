package io.hpcwhisk.testkit;

import org.junit.jupiter.api.Assumptions;

/**
 * A test's precondition on the machine (bubblewrap working, Slurm installed, ...): on a developer's
 * machine a test whose precondition fails is skipped with the reason; in CI ({@code CI=true}, where
 * {@code .ci/run} installs everything) it fails with the reason, so that CI never skips it
 * silently.
 */
public final class Required {

  private Required() {}

  /**
   * Skips (or in CI fails) the calling test unless {@code condition} holds; {@code reason} says
   * what is missing.
   */
  public static void on(boolean condition, String reason) {
    if (condition) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError("required in CI: " + reason);
    }
    Assumptions.abort(reason + " (CI, where .ci/run installs it, runs this test)");
  }
}
