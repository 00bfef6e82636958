package io.hpcwhisk.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Each {@code with…} of {@link RuntimeConfig} changes its own setting and keeps every other one.
 */
class RuntimeConfigTest {

  private static final RuntimeConfig FULL =
      new RuntimeConfig(
          Path.of("/w"),
          512,
          "/n",
          "/p",
          "/j",
          RuntimeConfig.Sandbox.OFF,
          Duration.ofSeconds(7),
          Duration.ofMillis(9),
          4242,
          List.of(Path.of("/secret")),
          "alice");

  @Test
  void everyWitherKeepsTheOtherSettings() throws Exception {
    check("workDir", c -> c.withWorkDir(Path.of("/elsewhere")));
    check("sandbox", c -> c.withSandbox(RuntimeConfig.Sandbox.AUTO));
    check("idleTimeout", c -> c.withIdleTimeout(Duration.ofSeconds(99)));
    check("unsandboxedNamespace", c -> c.withUnsandboxedNamespace("bob"));
    check("sandboxHidden", c -> c.withSandboxHidden(List.of(Path.of("/other"))));
  }

  private static void check(String changed, UnaryOperator<RuntimeConfig> wither) throws Exception {
    RuntimeConfig after = wither.apply(FULL);
    for (RecordComponent c : RuntimeConfig.class.getRecordComponents()) {
      Object before = c.getAccessor().invoke(FULL);
      Object now = c.getAccessor().invoke(after);
      if (c.getName().equals(changed)) {
        assertThat(now).as(changed + " changes").isNotEqualTo(before);
      } else {
        assertThat(now).as(c.getName() + " is kept by the wither of " + changed).isEqualTo(before);
      }
    }
  }
}
