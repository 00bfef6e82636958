package io.hpcwhisk.runtime;

import io.hpcwhisk.testkit.Required;

/**
 * Every test of {@link ActionRuntimesErrorsTest} (timeouts, memory limits, logs, crashes, the warm
 * pool) inside bubblewrap.
 */
class SandboxedActionRuntimesErrorsTest extends ActionRuntimesErrorsTest {

  @Override
  RuntimeConfig.Sandbox sandbox() {
    Required.on(
        Sandbox.usable(), "bwrap (bubblewrap) is not installed or cannot create namespaces here");
    return RuntimeConfig.Sandbox.BWRAP;
  }
}
