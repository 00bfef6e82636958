package io.hpcwhisk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pre-start decisions: which cold starts may take a stem cell, how many to start, parsing. */
class PrewarmTest {

  private static final Prewarm NODE2_PY1 = Prewarm.parse("nodejs:2, python:1", 256);

  private static ActionSpec node(String key) {
    return ActionSpec.text(key, "nodejs:20", "function main() { return {}; }");
  }

  @Test
  void parsesKindsAndCountsAndPrintsThemBack() {
    assertThat(NODE2_PY1.target(ActionKind.NODEJS)).isEqualTo(2);
    assertThat(NODE2_PY1.target(ActionKind.PYTHON)).isEqualTo(1);
    assertThat(NODE2_PY1.target(ActionKind.JAVA)).isZero();
    assertThat(NODE2_PY1).hasToString("nodejs:2,python:1");
    assertThat(Prewarm.parse("python:0", 256).enabled()).isFalse();
    assertThat(Prewarm.parse("", 256)).isEqualTo(Prewarm.NONE);
    assertThat(Prewarm.parse("none", 256).enabled()).isFalse();
    assertThat(Prewarm.parse(null, 256)).hasToString("none");
  }

  @Test
  void badTextIsRefusedNamingThePartAndTheExpectedForm() {
    assertThatThrownBy(() -> Prewarm.parse("nodejs", 256))
        .hasMessageContaining("\"nodejs\" is not KIND:COUNT")
        .hasMessageContaining("nodejs:2,python:1");
    assertThatThrownBy(() -> Prewarm.parse("java:1", 256))
        .hasMessageContaining("\"java\" cannot be pre-started (expected nodejs or python)");
    assertThatThrownBy(() -> Prewarm.parse("nodejs:two", 256))
        .hasMessageContaining("not a whole number");
    assertThatThrownBy(() -> Prewarm.parse("nodejs:1000", 256))
        .hasMessageContaining("1000 (expected 0 to 64)");
    assertThatThrownBy(() -> Prewarm.parse("nodejs:-1", 256))
        .hasMessageContaining("-1 (expected 0 to 64)");
    assertThatThrownBy(() -> Prewarm.parse("nodejs:1,nodejs:2", 256)).hasMessageContaining("twice");
    assertThatThrownBy(() -> Prewarm.parse("nodejs:1", 8))
        .hasMessageContaining("at least 16 MB, got 8");
  }

  @Test
  void onlyAPlainColdStartOfAKeptKindWithTheStemMemoryFits() {
    ActionSpec plain = node("guest/a@1");
    assertThat(NODE2_PY1.fits(plain)).isTrue();
    assertThat(NODE2_PY1.fits(ActionSpec.text("guest/p@1", "python:3", "def main(a): return a")))
        .isTrue();
    assertThat(NODE2_PY1.fits(plain.withLimits(plain.limits().withMemoryMb(512))))
        .as("another memory limit (set at process start)")
        .isFalse();
    ActionSpec withEnv =
        new ActionSpec(
            "guest/e@1", "nodejs:20", "x", false, "main", Map.of("K", "V"), plain.limits());
    assertThat(NODE2_PY1.fits(withEnv)).as("an environment of its own").isFalse();
    ActionSpec pinned =
        plain.withLimits(
            new ActionLimits(
                plain.limits().timeout(),
                256,
                plain.limits().logBytes(),
                plain.limits().resultBytes(),
                1,
                0));
    assertThat(NODE2_PY1.fits(pinned)).as("pinned to a core").isFalse();
    assertThat(NODE2_PY1.fits(plain.withImage("localhost/img:1"))).as("a container").isFalse();
    assertThat(Prewarm.parse("python:1", 256).fits(plain)).as("kind not kept").isFalse();
    assertThat(Prewarm.NONE.fits(plain)).isFalse();
  }

  @Test
  void startsWhatIsMissingButNeverMoreThanTheFreeMemoryAllows() {
    assertThat(NODE2_PY1.toStart(ActionKind.NODEJS, 0, 0, 4096)).isEqualTo(2);
    assertThat(NODE2_PY1.toStart(ActionKind.NODEJS, 1, 0, 4096)).isEqualTo(1);
    assertThat(NODE2_PY1.toStart(ActionKind.NODEJS, 1, 1, 4096)).as("one on its way").isZero();
    assertThat(NODE2_PY1.toStart(ActionKind.NODEJS, 2, 0, 4096)).isZero();
    assertThat(NODE2_PY1.toStart(ActionKind.NODEJS, 0, 0, 300)).as("room for one").isEqualTo(1);
    assertThat(NODE2_PY1.toStart(ActionKind.NODEJS, 0, 0, 255)).isZero();
    assertThat(NODE2_PY1.toStart(ActionKind.NODEJS, 0, 0, -100)).isZero();
    assertThat(NODE2_PY1.toStart(ActionKind.JAVA, 0, 0, 4096)).isZero();
    assertThat(NODE2_PY1.toStart(ActionKind.NODEJS, 5, 0, 4096))
        .as("more than the target (after a change)")
        .isZero();
  }
}
