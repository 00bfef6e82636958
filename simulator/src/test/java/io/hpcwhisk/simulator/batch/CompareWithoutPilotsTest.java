package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ScheduleRun#compareWithoutPilots} on a one-node schedule computed by hand: A (100 s)
 * starts at 0, B arrives at 10 and starts when A's node is free — at 100, or at 100 + s with s
 * seconds of COMPLETING time.
 */
class CompareWithoutPilotsTest {

  private static final List<JobSpec> JOBS = BatchSimulationTest.parse("0:1:100:100 10:1:10:10");

  private static SchedulerConfig completing(long seconds) {
    return new SchedulerConfig(1, Algorithm.SLURM, 500, 86_400, 60, 30, 30, 30, seconds);
  }

  @Test
  void theSameSettingsMoveNoJob() {
    JobStats.Delays d =
        ScheduleRun.compareWithoutPilots(
                completing(0), completing(0), () -> PilotSchedulingTest.source(JOBS))
            .delays();
    assertThat(d.delayed()).isZero();
    assertThat(d.earlier()).isZero();
  }

  @Test
  void completingTimeDelaysTheJobThatWaitsForTheNode() {
    JobStats.Summary s =
        ScheduleRun.compareWithoutPilots(
            completing(0), completing(5), () -> PilotSchedulingTest.source(JOBS));
    assertThat(s.meanWait()).isEqualTo((0 + 95) / 2.0);
    assertThat(s.delays().delayed()).isEqualTo(1);
    assertThat(s.delays().maxDelaySeconds()).isEqualTo(5);
    assertThat(s.delays().delayedBeyondGrace()).isZero();
    assertThat(s.delays().waitedForPilots()).as("no pilots").isZero();
  }
}
