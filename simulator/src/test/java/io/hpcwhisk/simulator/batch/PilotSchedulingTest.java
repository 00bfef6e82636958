package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A two-node schedule with one pilot of the real {@code var} policy, computed by hand: A (1 node,
 * 1000 s) starts at 0 and the pilot takes the other node at 0 (2 h, unbounded window). B (2 nodes,
 * 10 s) arrives at 10 and is planned at 1020 (A's end rounded to bf_resolution). When A ends at
 * 1000, B preempts the pilot and starts once it has drained. Baseline: B starts at 1000.
 */
class PilotSchedulingTest {

  @ParameterizedTest(name = "drain {0} s")
  @CsvSource({"30", "5", "0"})
  void preemptedPilotDelaysTheBatchJobByItsDrainTime(long drain) {
    SchedulerConfig config =
        new SchedulerConfig(2, Algorithm.SLURM, 500, 86_400, 60, 30, 30, drain);
    List<JobSpec> jobs = BatchSimulationTest.parse("0:1:1000:1000 10:2:10:10");
    ScheduleRun.Outcome outcome =
        ScheduleRun.run(
            config,
            () -> source(jobs),
            List.of(
                new SimHarvestConfig(
                    "var", Map.of("pending", "1", "time", "2h", "time-min", "2m"), 15, 20)),
            600,
            null);

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
    assertThat(var.pilots())
        .containsEntry("pilotsStarted", 1L)
        .containsEntry("pilotsPreempted", 1L)
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
   * C (2 nodes, 10 s) arrives at 20 behind B and starts when B ends: at 1010 in the baseline, at
   * 1010 + drain with the pilot. C preempted nothing: its delay is a knock-on one (within the grace
   * time here). The yardstick hands every job's nodes on drain seconds later, A's and B's: B starts
   * at 1000 + drain, C at 1010 + 2 × drain — beyond the grace time at a 30 s drain, with no pilot.
   */
  @ParameterizedTest(name = "drain {0} s")
  @CsvSource({"30", "5"})
  void aJobBehindAPreemptorIsDelayedByKnockOn(long drain) {
    SchedulerConfig config =
        new SchedulerConfig(2, Algorithm.SLURM, 500, 86_400, 60, 30, 30, drain);
    List<JobSpec> jobs = BatchSimulationTest.parse("0:1:1000:1000 10:2:10:10 20:2:10:10");
    ScheduleRun.Outcome outcome =
        ScheduleRun.run(
            config,
            () -> source(jobs),
            List.of(
                new SimHarvestConfig(
                    "var", Map.of("pending", "1", "time", "2h", "time-min", "2m"), 15, 20)),
            600,
            null);

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
   * The first schedule with a drain of a fraction of a second, as a real idle pilot leaves: the run
   * counts milliseconds, B waits exactly the drain for its pilot, and every figure is the
   * whole-second one plus the drain.
   */
  @ParameterizedTest(name = "drain {0} s")
  @CsvSource({"0.4", "1.5"})
  void aSubSecondDrainDelaysTheBatchJobByExactlyThat(double drain) {
    TimeBase ms = TimeBase.fitting(drain);
    assertThat(ms).isEqualTo(TimeBase.MILLIS);
    SchedulerConfig config =
        new SchedulerConfig(
            2,
            Algorithm.SLURM,
            500,
            86_400_000,
            60_000,
            30_000,
            30_000,
            ms.ticks(drain, "drain"),
            0,
            ms);
    List<JobSpec> jobs = BatchSimulationTest.parse("0:1:1000:1000 10:2:10:10");
    ScheduleRun.Outcome outcome =
        ScheduleRun.run(
            config,
            () -> new JobSources(1000, ms).fixed(jobs),
            List.of(
                new SimHarvestConfig(
                    "var", Map.of("pending", "1", "time", "2h", "time-min", "2m"), 15, 20)),
            600,
            null);

    assertThat(outcome.baseline().jobs().meanWait()).isEqualTo((0 + 990) / 2.0);
    RunResult var = outcome.withPilots().get(0);
    assertThat(var.jobs().meanWait()).isCloseTo((0 + 990 + drain) / 2.0, within(1e-9));
    assertThat(var.jobs().delays().maxDelaySeconds()).isEqualTo(drain);
    assertThat(var.jobs().delays().direct()).isEqualTo(new JobStats.Kind(1, 0, drain, 1));
    assertThat(var.pilots())
        .containsEntry("pilotsStarted", 1L)
        .containsEntry("pilotsPreempted", 1L);
    assertThat(var.idle().idleNodeSeconds()).isCloseTo(1000 + drain, within(1e-9));
    assertThat(var.idle().handoverShare()).isCloseTo(drain / (1000 + drain), within(1e-9));
    assertThat(outcome.yardstick().handoverSeconds()).isEqualTo(drain);
    assertThat(outcome.yardstick().run().jobs().delays().maxDelaySeconds()).isEqualTo(drain);
  }

  /**
   * The freed-node hold, by hand (bf_interval 30 s, passes at 0, 30, 60, …; drain 5 s): A (node 1,
   * runs 100 s of a 1000 s limit) and X (node 2, 1000 s) start at 0; H (2 nodes) is reserved for
   * X's end at 1000; J (1 node, 50 s of a 60 s limit) is planned after H. A ends early at 100: node
   * 1 is free until H's reservation. Without the hold the pending pilot starts there at 100, and
   * the pass at 120 backfills J onto it: J preempts the pilot and starts at 125, the drain late.
   * With the hold node 1 stays empty from 100 to the pass at 120 (H and J pending), J starts at 120
   * as in the baseline; J's end at 170 frees the node again, held until the pass at 180. Either way
   * a pilot then holds node 1 up to H's reservation (X's planned end rounded up to 1020), so H
   * preempts it at 1000 and starts at 1005 (a direct delay the hold does not touch).
   */
  @ParameterizedTest(name = "hold {0}")
  @CsvSource({"false", "true"})
  void aFreedNodeHeldForOneBackfillPassLetsTheBackfilledJobStartOnTime(boolean hold) {
    SchedulerConfig config = new SchedulerConfig(2, Algorithm.SLURM, 500, 86_400, 60, 30, 30, 5);
    List<JobSpec> jobs =
        BatchSimulationTest.parse("0:1:100:1000 0:1:1000:1000 5:2:10:2000 6:1:50:60");
    ScheduleRun.Outcome outcome =
        ScheduleRun.run(
            config,
            () -> source(jobs),
            List.of(
                new SimHarvestConfig(
                        "var", Map.of("pending", "1", "time", "2h", "time-min", "2m"), 15, 20)
                    .withHoldFreedNodes(hold)),
            600,
            null);

    assertThat(outcome.baseline().jobs().meanWait())
        .as("A 0, X 0, H 995, J 114")
        .isEqualTo((995 + 114) / 4.0);
    RunResult var = outcome.withPilots().get(0);
    JobStats.Delays d = var.jobs().delays();
    if (hold) {
      assertThat(d.direct())
          .as("H only: J starts at the pass, on an empty node")
          .isEqualTo(new JobStats.Kind(1, 0, 5, 1));
      assertThat(var.jobs().meanWait()).isEqualTo((1000 + 114) / 4.0);
      assertThat(var.pilots())
          .containsEntry("freedNodesHeld", 2L)
          .containsEntry("pilotsPreempted", 1L);
      assertThat(var.idle().unusedShare()).as("node 1 empty 100..120 and 170..180").isPositive();
    } else {
      assertThat(d.direct()).as("J and H wait for pilots").isEqualTo(new JobStats.Kind(2, 0, 5, 2));
      assertThat(var.jobs().meanWait()).isEqualTo((1000 + 119) / 4.0);
      assertThat(var.pilots()).containsEntry("freedNodesHeld", 0L);
    }
  }

  /**
   * The reserved-node hold on the freed-node hold's schedule above: after J's end node 1 is free
   * and reserved for H (planned at 1020), so with the reserved-node hold no pilot takes it; H finds
   * it empty at 1000 and starts on time, and J as with the freed-node hold. No job is delayed; the
   * price is node 1 empty from 170 to 1000.
   */
  @Test
  void aReservedNodeHeldEmptyLetsTheReservedJobStartOnTime() {
    SchedulerConfig config = new SchedulerConfig(2, Algorithm.SLURM, 500, 86_400, 60, 30, 30, 5);
    List<JobSpec> jobs =
        BatchSimulationTest.parse("0:1:100:1000 0:1:1000:1000 5:2:10:2000 6:1:50:60");
    ScheduleRun.Outcome outcome =
        ScheduleRun.run(
            config,
            () -> source(jobs),
            List.of(
                new SimHarvestConfig(
                        "var", Map.of("pending", "1", "time", "2h", "time-min", "2m"), 15, 20)
                    .withHoldFreedNodes(true)
                    .withWindowRules(true, 0, false)),
            600,
            null);

    RunResult var = outcome.withPilots().get(0);
    assertThat(var.jobs().delays().delayed()).isZero();
    assertThat(var.jobs().meanWait()).isEqualTo(outcome.baseline().jobs().meanWait());
    assertThat(var.pilots()).containsEntry("pilotsPreempted", 0L);
    assertThat((Long) var.pilots().get("reservedNodeChecksHeld")).isPositive();
    assertThat(var.idle().unusedShare()).isGreaterThan(0.5);
  }

  /**
   * A short window entered, by hand (bf_interval 30 s, drain 1 s, grace 30 s, freed-node hold on):
   * X (node 1, 60 s) and Y (node 2, 25 s) start at 0; H (2 nodes) arrives at 1. Y ends at 25: node
   * 2 is held for the pass at 30, which reserves it for H at 60 (X's planned end) — a 30 s window,
   * shorter than the pilot's 2 min minimum. Without the short-window entry it stays empty; with it
   * the pending pilot enters at 30 (hand-over 1 s is at most 1 s and 10 % of 30 s), H preempts it
   * when X ends at 60 and starts at 61: one direct delay of the drain, none beyond the grace time.
   */
  @ParameterizedTest(name = "short windows {0}")
  @CsvSource({"false", "true"})
  void aPilotEntersAWindowShorterThanItsLimitWhenTheHandOverIsCheap(boolean shortWindows) {
    SchedulerConfig config = new SchedulerConfig(2, Algorithm.SLURM, 500, 86_400, 60, 30, 30, 1);
    List<JobSpec> jobs = BatchSimulationTest.parse("0:1:60:60 0:1:25:25 1:2:10:10");
    ScheduleRun.Outcome outcome =
        ScheduleRun.run(
            config,
            () -> source(jobs),
            List.of(
                new SimHarvestConfig(
                        "var", Map.of("pending", "1", "time", "2h", "time-min", "2m"), 15, 20)
                    .withHoldFreedNodes(true)
                    .withWindowRules(false, 0, shortWindows)),
            600,
            null);

    RunResult var = outcome.withPilots().get(0);
    JobStats.Delays d = var.jobs().delays();
    if (shortWindows) {
      assertThat(var.pilots())
          .containsEntry("pilotsStarted", 1L)
          .containsEntry("pilotsPreempted", 1L)
          .containsEntry("shortWindowsEntered", 1L);
      assertThat(d.direct()).as("H waits the 1 s drain").isEqualTo(new JobStats.Kind(1, 0, 1, 1));
      assertThat(d.delayedBeyondGrace()).isZero();
      assertThat(var.idle().unusedShare()).isLessThan(0.5);
    } else {
      assertThat(var.pilots())
          .containsEntry("pilotsStarted", 0L)
          .containsEntry("shortWindowsEntered", 0L);
      assertThat(d.delayed()).isZero();
      assertThat(var.idle().unusedShare()).isCloseTo(1, within(1e-9));
    }
  }

  static JobSources.Source source(List<JobSpec> jobs) {
    JobSources sources = new JobSources(1000);
    return sources.fixed(jobs);
  }
}
