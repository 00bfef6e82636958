package io.hpcwhisk.simulator.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.report.ReplayResult;
import io.hpcwhisk.simulator.testing.SyntheticIdleLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonTest {

  @TempDir Path dir;

  @Test
  void replaysEveryLadderAndPolicyAndTabulatesThem() {
    Path log =
        new SyntheticIdleLog(120)
            .available(0, 0, 100)
            .available(1, 30, 120)
            .write(dir.resolve("log.txt"));
    List<ReplayMode> modes =
        Comparison.standardModes(List.of("fib", "var"), List.of(20.0, 1.0), 30);
    List<Double> progress = new ArrayList<>();

    List<ReplayResult> results = Comparison.run(log, SampleWindow.all(), modes, 1, progress::add);
    String table = Comparison.markdown(results);

    assertThat(modes).hasSize(6 + 4);
    assertThat(results)
        .extracting(ReplayResult::mode)
        .containsExactly(
            "clairvoyant",
            "clairvoyant",
            "clairvoyant",
            "clairvoyant",
            "clairvoyant",
            "clairvoyant",
            "online",
            "online",
            "online",
            "online");
    assertThat(table.lines()).hasSize(2 + 10);
    assertThat(table)
        .contains(
            "| clairvoyant A1 | 2 samples |",
            "| clairvoyant C2 | 2 samples |",
            "| online fib | 20 s |",
            "| online var | 1 s |");
    assertThat(progress).isSorted().last().isEqualTo(1.0);
  }
}
