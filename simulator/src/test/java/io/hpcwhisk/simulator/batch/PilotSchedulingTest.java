package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A two-node schedule with one pilot of the real {@code var} policy, computed by hand: A (1 node, 1000 s) starts at
 * 0 and the pilot takes the other node at 0 (2 h, unbounded window). B (2 nodes, 10 s) arrives at 10 and is planned
 * at 1020 (A's end rounded to bf_resolution). When A ends at 1000, B preempts the pilot and starts once it has
 * drained. Baseline: B starts at 1000.
 */
class PilotSchedulingTest {

  @ParameterizedTest(name = "drain {0} s")
  @CsvSource({"30", "5", "0"})
  void preemptedPilotDelaysTheBatchJobByItsDrainTime(long drain) {
    SchedulerConfig config = new SchedulerConfig(2, Algorithm.SLURM, 500, 86_400, 60, 30, 30, drain);
    List<JobSpec> jobs = BatchSimulationTest.parse("0:1:1000:1000 10:2:10:10");
    ScheduleRun.Outcome outcome = ScheduleRun.run(config, () -> source(jobs), List.of(
        new SimHarvestConfig("var", Map.of("pending", "1", "time", "2h", "time-min", "2m"), 15, 20)), 600, null);

    RunResult base = outcome.baseline();
    assertThat(base.jobs().meanWait()).isEqualTo((0 + 990) / 2.0);
    assertThat(base.idle().idleNodeSeconds()).isEqualTo(1000);

    RunResult var = outcome.withPilots().get(0);
    assertThat(var.jobs().meanWait()).isEqualTo((0 + 990 + drain) / 2.0);
    assertThat(var.jobs().delays().delayed()).isEqualTo(drain > 0 ? 1 : 0);
    assertThat(var.jobs().delays().maxDelaySeconds()).isEqualTo(drain);
    assertThat(var.jobs().delays().delayedBeyondGrace()).isZero();
    assertThat(var.jobs().delays().waitedForPilots()).isEqualTo(1);
    long direct = drain > 0 ? 1 : 0;
    assertThat(var.jobs().delays().direct()).isEqualTo(new JobStats.Kind(direct, 0, drain, direct));
    assertThat(var.jobs().delays().knockOn().jobs()).isZero();
    assertThat(var.pilots()).containsEntry("pilotsStarted", 1L).containsEntry("pilotsPreempted", 1L)
        .containsEntry("pilotsTimedOut", 0L);
    double idle = 1000 + drain;
    assertThat(var.idle().idleNodeSeconds()).isEqualTo(idle);
    assertThat(var.idle().readyShare()).isCloseTo(980 / idle, within(1e-9));
    assertThat(var.idle().warmupShare()).isCloseTo(20 / idle, within(1e-9));
    assertThat(var.idle().handoverShare()).isCloseTo(drain / idle, within(1e-9));
    assertThat(var.idle().unusedShare()).isCloseTo(0, within(1e-9));
    if (drain > 0) {
      JobStats.Delays y = outcome.yardstick().run().jobs().delays();
      assertThat(outcome.yardstick().handoverSeconds()).isEqualTo(drain);
      assertThat(y.delayed()).as("B waits for A's nodes to be handed on").isEqualTo(1);
      assertThat(y.maxDelaySeconds()).isEqualTo(drain);
    } else {
      assertThat(outcome.yardstick()).as("nothing to measure with instant hand-overs").isNull();
    }
  }

  /**
   * C (2 nodes, 10 s) arrives at 20 behind B and starts when B ends: at 1010 in the baseline, at 1010 + drain with
   * the pilot. C preempted nothing: its delay is a knock-on one (within the grace time here). The yardstick hands
   * every job's nodes on drain seconds later, A's and B's: B starts at 1000 + drain, C at 1010 + 2 × drain — beyond
   * the grace time at a 30 s drain, with no pilot.
   */
  @ParameterizedTest(name = "drain {0} s")
  @CsvSource({"30", "5"})
  void aJobBehindAPreemptorIsDelayedByKnockOn(long drain) {
    SchedulerConfig config = new SchedulerConfig(2, Algorithm.SLURM, 500, 86_400, 60, 30, 30, drain);
    List<JobSpec> jobs = BatchSimulationTest.parse("0:1:1000:1000 10:2:10:10 20:2:10:10");
    ScheduleRun.Outcome outcome = ScheduleRun.run(config, () -> source(jobs), List.of(
        new SimHarvestConfig("var", Map.of("pending", "1", "time", "2h", "time-min", "2m"), 15, 20)), 600, null);

    assertThat(outcome.baseline().jobs().meanWait()).isEqualTo((0 + 990 + 990) / 3.0);
    JobStats.Delays d = outcome.withPilots().get(0).jobs().delays();
    assertThat(d.delayed()).isEqualTo(2);
    assertThat(d.direct()).as("B").isEqualTo(new JobStats.Kind(1, 0, drain, 1));
    assertThat(d.knockOn()).as("C").isEqualTo(new JobStats.Kind(1, 0, drain, 0));

    JobStats.Delays y = outcome.yardstick().run().jobs().delays();
    assertThat(y.delayed()).isEqualTo(2);
    assertThat(y.maxDelaySeconds()).as("C").isEqualTo(2 * drain);
    assertThat(y.delayedBeyondGrace()).isEqualTo(2 * drain > 30 ? 1 : 0);
    assertThat(y.waitedForPilots()).as("no pilots").isZero();
  }

  /**
   * The first schedule with a drain of a fraction of a second, as a real idle pilot leaves: the run counts
   * milliseconds, B waits exactly the drain for its pilot, and every figure is the whole-second one plus the drain.
   */
  @ParameterizedTest(name = "drain {0} s")
  @CsvSource({"0.4", "1.5"})
  void aSubSecondDrainDelaysTheBatchJobByExactlyThat(double drain) {
    TimeBase ms = TimeBase.fitting(drain);
    assertThat(ms).isEqualTo(TimeBase.MILLIS);
    SchedulerConfig config = new SchedulerConfig(2, Algorithm.SLURM, 500, 86_400_000, 60_000, 30_000, 30_000,
        ms.ticks(drain, "drain"), 0, ms);
    List<JobSpec> jobs = BatchSimulationTest.parse("0:1:1000:1000 10:2:10:10");
    ScheduleRun.Outcome outcome = ScheduleRun.run(config, () -> new JobSources(1000, ms).fixed(jobs), List.of(
        new SimHarvestConfig("var", Map.of("pending", "1", "time", "2h", "time-min", "2m"), 15, 20)), 600, null);

    assertThat(outcome.baseline().jobs().meanWait()).isEqualTo((0 + 990) / 2.0);
    RunResult var = outcome.withPilots().get(0);
    assertThat(var.jobs().meanWait()).isCloseTo((0 + 990 + drain) / 2.0, within(1e-9));
    assertThat(var.jobs().delays().maxDelaySeconds()).isEqualTo(drain);
    assertThat(var.jobs().delays().direct()).isEqualTo(new JobStats.Kind(1, 0, drain, 1));
    assertThat(var.pilots()).containsEntry("pilotsStarted", 1L).containsEntry("pilotsPreempted", 1L);
    assertThat(var.idle().idleNodeSeconds()).isCloseTo(1000 + drain, within(1e-9));
    assertThat(var.idle().handoverShare()).isCloseTo(drain / (1000 + drain), within(1e-9));
    assertThat(outcome.yardstick().handoverSeconds()).isEqualTo(drain);
    assertThat(outcome.yardstick().run().jobs().delays().maxDelaySeconds()).isEqualTo(drain);
  }

  static JobSources.Source source(List<JobSpec> jobs) {
    JobSources sources = new JobSources(1000);
    return sources.fixed(jobs);
  }
}
