package io.hpcwhisk.simulator.ladder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.report.CoverageFigures;
import io.hpcwhisk.simulator.report.ReportJson;
import io.hpcwhisk.simulator.testing.SyntheticIdleLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClairvoyantLadderReplayTest {

  @TempDir Path dir;

  @Test
  void packsTheLongestFittingLengthThenTheRemainder() {
    // A1 in samples: 12, 24, 36, 48, 84, ...; a run of 100 gets 84 + 12, 4 samples stay unused.
    Path log = new SyntheticIdleLog(110).available(1, 0, 100).write(dir.resolve("log.txt"));

    ClairvoyantResult result =
        ClairvoyantLadderReplay.run(
            log, SampleWindow.all(), Ladder.parse("A1"), 2, 6, Progress.NONE);

    CoverageFigures figures = result.figures();
    assertThat(figures.pilots()).isEqualTo(2);
    assertThat(result.pilotsByLengthMinutes())
        .containsEntry(14, 1L)
        .containsEntry(2, 1L)
        .containsEntry(90, 0L);
    assertThat(figures.readyShare()).isCloseTo(92 / 100.0, within(1e-12));
    assertThat(figures.warmupShare()).isCloseTo(4 / 100.0, within(1e-12));
    assertThat(figures.unusedShare()).isCloseTo(4 / 100.0, within(1e-12));
    assertThat(figures.ceilingReadyShare()).isCloseTo(98 / 100.0, within(1e-12));
    // Not ready: samples 0-1 and 84-85 (warm-up), 96-109 (unused and unavailable).
    assertThat(figures.noReadySamples()).isEqualTo(18);
    assertThat(figures.longestNoReadyStretchSamples()).isEqualTo(14);
    assertThat(figures.meanReadyNodes()).isCloseTo(92 / 110.0, within(1e-12));
    assertThat(result.timeline().warmingAt(84)).isEqualTo(1);
    assertThat(result.timeline().readyAt(86)).isEqualTo(1);
    assertThat(result.facts().nodes()).isEqualTo(2);
    assertThat(result.facts().runLengths()).containsExactly(100);
  }

  @Test
  void runsTooShortForTheShortestLengthStayUnusedAndSeveralNodesAddUp() {
    Path log =
        new SyntheticIdleLog(60)
            .available(0, 0, 11) // shorter than 12: unused
            .available(0, 20, 44) // 24: one 4-minute pilot
            .available(3, 30, 60) // 30, open at the end: 24 + 6 unused
            .write(dir.resolve("log.txt"));

    ClairvoyantResult result =
        ClairvoyantLadderReplay.run(
            log, SampleWindow.all(), Ladder.parse("A1"), 2, 6, Progress.NONE);

    double available = 11 + 24 + 30;
    assertThat(result.figures().pilots()).isEqualTo(2);
    assertThat(result.figures().readyShare()).isCloseTo(44 / available, within(1e-12));
    assertThat(result.figures().unusedShare()).isCloseTo(17 / available, within(1e-12));
    assertThat(result.figures().ceilingReadyShare())
        .isCloseTo((9 + 22 + 28) / available, within(1e-12));
    assertThat(result.facts().availableShare()).isCloseTo(available / (4 * 60), within(1e-12));
    assertThat(result.timeline().readyAt(40)).isEqualTo(2);
  }

  @Test
  void theWindowCutsRunsAtItsEdges() {
    Path log = new SyntheticIdleLog(40).available(0, 0, 40).write(dir.resolve("log.txt"));
    SampleWindow window =
        new SampleWindow(SyntheticIdleLog.START + 100, SyntheticIdleLog.START + 300);

    ClairvoyantResult result =
        ClairvoyantLadderReplay.run(log, window, Ladder.parse("2"), 0, 6, Progress.NONE);

    assertThat(result.facts().samples()).isEqualTo(20);
    assertThat(result.facts().samplesOutsideWindow()).isEqualTo(20);
    assertThat(result.facts().runLengths()).containsExactly(20);
    assertThat(result.figures().pilots()).isEqualTo(1);
    assertThat(result.extraFigures()).containsEntry("pilotsByLengthMinutes", Map.of("2", 1L));
  }

  @Test
  void aLogWithoutAnyAvailableNodeReportsZerosNotNaN() {
    Path log = new SyntheticIdleLog(20).write(dir.resolve("log.txt"));

    ClairvoyantResult result =
        ClairvoyantLadderReplay.run(
            log, SampleWindow.all(), Ladder.parse("A1"), 2, 6, Progress.NONE);

    assertThat(result.facts().nodes()).isZero();
    assertThat(result.facts().availableShare()).isZero();
    assertThat(result.figures().readyShare()).isZero();
    assertThat(result.figures().ceilingReadyShare()).isZero();
    assertThat(result.figures().noReadySamples()).isEqualTo(20);
    assertThat(ReportJson.toJson(result, List.of())).doesNotContain("NaN");
  }

  @Test
  void aWindowWithoutSamplesIsAClearError() {
    Path log = new SyntheticIdleLog(20).available(0, 0, 20).write(dir.resolve("log.txt"));
    SampleWindow before = new SampleWindow(0, 1000);

    assertThatThrownBy(
            () -> ClairvoyantLadderReplay.run(log, before, Ladder.parse("A1"), 2, 6, Progress.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no record of " + log)
        .hasMessageContaining("[0, 1000)")
        .hasMessageContaining("20 records read");
  }
}
