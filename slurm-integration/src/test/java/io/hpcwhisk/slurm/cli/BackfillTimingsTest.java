package io.hpcwhisk.slurm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackfillTimingsTest {

  @Test
  void readsBfIntervalAndTheLastCycleFromReal2205Output() {
    assertThat(BackfillTimings.bfInterval(Fixtures.read("slurm-22.05-scontrol-show-config.txt")))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(BackfillTimings.lastBackfillFromSdiag(Fixtures.read("slurm-22.05-sdiag.txt")))
        .hasValue(Instant.ofEpochSecond(1796627787L));
  }

  @Test
  void slurmsDefaultIntervalWhenNotSet() {
    assertThat(BackfillTimings.bfInterval("SchedulerParameters     = (null)\n"))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(
            BackfillTimings.bfInterval(
                "SchedulerParameters     = bf_window=180,bf_resolution=120\n"))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(BackfillTimings.bfInterval("SchedulerType = sched/backfill\n"))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(
            BackfillTimings.bfInterval(
                "SchedulerParameters = bf_window=180,bf_interval=120,bf_resolution=120"))
        .isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void aBadIntervalIsNamed() {
    assertThatThrownBy(() -> BackfillTimings.bfInterval("SchedulerParameters = bf_interval=soon\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SchedulerParameters bf_interval: expected whole seconds >= 1, found 'soon'");
  }

  @Test
  void noCycleYetAndTheJsonField() {
    assertThat(BackfillTimings.lastBackfillFromSdiag("Backfilling stats\n\tTotal cycles: 0\n"))
        .isEmpty();
    assertThat(
            BackfillTimings.lastBackfillFromSdiag(
                "Backfilling stats\n\tLast cycle when: N/A (0)\n"))
        .isEmpty();
    assertThat(BackfillTimings.lastBackfillFromSqueueJson("{\"meta\":{},\"jobs\":[]}")).isEmpty();
    assertThat(
            BackfillTimings.lastBackfillFromSqueueJson(
                "{\"last_backfill\": 1796627787, \"jobs\": []}"))
        .hasValue(Instant.ofEpochSecond(1796627787L));
    assertThat(
            BackfillTimings.lastBackfillFromSqueueJson(
                "{\"last_backfill\": {\"set\": true, \"infinite\": false, \"number\":"
                    + " 1796627787}}"))
        .hasValue(Instant.ofEpochSecond(1796627787L));
  }
}
