package io.hpcwhisk.runtime;

import io.hpcwhisk.testkit.Required;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link ActionRuntimesKindsTest} (node, python, java, native, warm reuse) inside
 * bubblewrap.
 */
class SandboxedActionRuntimesKindsTest extends ActionRuntimesKindsTest {

  @BeforeAll
  static void start() {
    Required.on(
        Sandbox.usable(), "bwrap (bubblewrap) is not installed or cannot create namespaces here");
    startWith(RuntimeConfig.Sandbox.BWRAP);
  }
}
