package io.hpcwhisk.bench.harvest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-job comparison of {@link BenchReport} on waits made by hand. */
class BenchReportTest {

  /** Every job started: its wait is also its start wait. */
  private static HarvestBenchmark.Result result(String scenario, Double... waits) {
    return new HarvestBenchmark.Result(
        scenario,
        waits.length,
        waits.length,
        List.of(waits),
        List.of(waits),
        100,
        50,
        0,
        0,
        0,
        new IdleAccounting.Totals(100, 50, Map.of(), 1),
        "0.1 → 0.1");
  }

  @Test
  void aJobThatWaitsLongerThanInTheReferenceIsCountedByTheSameJobsWait() {
    // means equal (10 s), but job 0 waits 12 s longer and job 1 12 s less: only the per-job figures
    // show it
    String table =
        BenchReport.markdown(
            List.of(
                result("none", 0.0, 20.0, 10.0),
                result("adaptive", 12.0, 8.0, 10.0),
                result("none", 0.4, 20.0, 10.0)));

    assertThat(table).contains("| none | 3/3 | 10.0 | — | — | — |");
    assertThat(table).contains("| adaptive | 3/3 | 10.0 | +0.0 | 1 | +12.0 |");
    assertThat(table)
        .as("a second run without pilots: the noise, under a second here")
        .contains("| none | 3/3 | 10.1 | +0.1 | 0 | +0.4 |");
  }

  @Test
  void runsOfDifferentLengthAreNotPaired() {
    assertThat(BenchReport.JobShifts.of(List.of(1.0, 2.0), List.of(1.0))).isNull();
    assertThat(BenchReport.JobShifts.of(List.of(5.0), List.of(2.0)))
        .isEqualTo(new BenchReport.JobShifts(0, -3.0));
  }

  @Test
  void onlyJobsThatStartedInBothRunsArePaired() {
    assertThat(
            BenchReport.JobShifts.of(List.of(1.0, Double.NaN, 3.0), List.of(Double.NaN, 50.0, 5.0)))
        .as("only the third started in both")
        .isEqualTo(new BenchReport.JobShifts(1, 2.0));
    assertThat(BenchReport.JobShifts.of(List.of(Double.NaN), List.of(4.0)))
        .as("none started in both")
        .isNull();
  }
}
