package io.hpcwhisk.pilot.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every test of {@link ActionRuntimesErrorsTest} (timeouts, memory limits, logs, crashes, the warm pool)
 * inside bubblewrap.
 */
class SandboxedActionRuntimesErrorsTest extends ActionRuntimesErrorsTest {

  @Override
  RuntimeConfig.Sandbox sandbox() {
    assumeTrue(Sandbox.usable(), "bwrap (bubblewrap) is not installed or cannot create namespaces here");
    return RuntimeConfig.Sandbox.BWRAP;
  }
}
