package io.hpcwhisk.simulator.ladder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.report.CoverageFigures;
import io.hpcwhisk.simulator.testing.TestTraces;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The HPC-Whisk SC22 paper's simulation on its own idle-node log (Cyfronet Prometheus, 17 March
 * 2022), ladder A1, 2 warm-up samples: every figure of {@code shared/traces/README.md} to within
 * 0.01 percentage points.
 */
class PaperFiguresRegressionTest {

  private static final double PP = 0.01 / 100; // 0.01 percentage points as a fraction

  @Test
  void ladderA1ReproducesThePaperFigures() {
    Path log = TestTraces.require(TestTraces.FIB_IDLE_NODES);

    ClairvoyantResult result =
        ClairvoyantLadderReplay.run(
            log, SampleWindow.PAPER, Ladder.parse("A1"), 2, 6, Progress.NONE);

    CoverageFigures figures = result.figures();
    assertThat(result.facts().samples()).isEqualTo(8_057);
    assertThat(result.facts().nodes()).isEqualTo(2_288);
    assertThat(result.facts().availableShare()).isCloseTo(0.518 / 100, within(PP));
    assertThat(figures.pilots()).isEqualTo(1_248);
    assertThat(figures.readyShare()).isCloseTo(0.8934, within(PP));
    assertThat(figures.warmupShare()).isCloseTo(0.0261, within(PP));
    assertThat(figures.unusedShare()).isCloseTo(0.0805, within(PP));
    assertThat(figures.noReadySamples()).isEqualTo(138);
    assertThat(figures.noReadySampleShare()).isCloseTo(0.0171, within(PP));
    assertThat(figures.meanReadyNodes()).isCloseTo(10.59, within(0.01));
    assertThat(figures.ceilingReadyShare()).isCloseTo(0.9681, within(PP));
    assertThat(figures.readyShare() + figures.warmupShare() + figures.unusedShare())
        .isCloseTo(1.0, within(1e-12));
  }

  @Test
  void theWholeLogIsThePaperWindow() {
    Path log = TestTraces.require(TestTraces.FIB_IDLE_NODES);

    ClairvoyantResult whole =
        ClairvoyantLadderReplay.run(
            log, SampleWindow.all(), Ladder.parse("A1"), 2, 6, Progress.NONE);

    assertThat(whole.facts().samplesOutsideWindow()).isZero();
    assertThat(whole.figures().pilots()).isEqualTo(1_248);
    assertThat(whole.facts().summary().skipped())
        .containsKey("sinfo line in state 'idle~' (only exactly 'idle' counts)");
  }
}
