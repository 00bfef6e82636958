package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * How {@link JobStats} splits the delays against the baseline into direct ones (the job's own wait
 * for the pilots it preempted) and knock-on ones (everything else), with a 30 s grace time and a 2
 * s drain.
 */
class JobStatsTest {

  private static final long GRACE = 30;

  /** Baseline starts of jobs 0..6 (all submitted at 0). */
  private static final long[] BASELINE = {100, 200, 300, 400, 500, 600, 700};

  /** The run with pilots: which jobs preempted pilots (and waited 2 s), and when each started. */
  private static JobStats run(long[] baseline) {
    JobStats stats = new JobStats(baseline, GRACE);
    stats.waitedForPilots(0, 2);
    started(stats, 0, 102); // preempted, delayed by exactly its wait: direct
    started(
        stats, 1,
        232); // did not preempt, missed a 30 s pass behind a preemptor: knock-on, beyond grace
    stats.waitedForPilots(2, 2);
    started(
        stats, 2, 332); // preempted, but 32 s > its 2 s wait: missed a pass, then drained: knock-on
    stats.waitedForPilots(3, 2);
    started(stats, 3, 400); // preempted, not delayed (a 2 s earlier start ate the wait)
    started(stats, 4, 501); // did not preempt, 1 s later: knock-on, within grace
    started(stats, 5, 590); // earlier than in the baseline
    stats.waitedForPilots(6, 2);
    started(stats, 6, 701); // preempted, delayed by 1 s, less than its wait: direct
    return stats;
  }

  private static void started(JobStats stats, long ordinal, long start) {
    stats.started(new JobSpec(ordinal, ordinal + 1, 0, 60, 60, 1, 10), start);
  }

  @Test
  void splitsDelaysIntoDirectAndKnockOn() {
    JobStats.Delays d = run(BASELINE).summary().delays();

    assertThat(d.delayed()).isEqualTo(5);
    assertThat(d.delayedBeyondGrace()).isEqualTo(2);
    assertThat(d.earlier()).isEqualTo(1);
    assertThat(d.maxDelaySeconds()).isEqualTo(32);
    assertThat(d.waitedForPilots()).isEqualTo(4);
    assertThat(d.direct()).isEqualTo(new JobStats.Kind(2, 0, 2, 2));
    assertThat(d.knockOn())
        .as("jobs 1, 2, 4; job 2 also waited for its pilots")
        .isEqualTo(new JobStats.Kind(3, 2, 32, 1));
    assertThat(d.direct().jobs() + d.knockOn().jobs()).isEqualTo(d.delayed());
  }

  @Test
  void comparingAfterTheRunGivesTheSameSplit() {
    JobStats later = run(null);
    later.compareWith(BASELINE);

    assertThat(later.summary()).isEqualTo(run(BASELINE).summary());
  }

  @Test
  void aRunWithoutPreemptionsHasOnlyKnockOnDelays() {
    JobStats stats = new JobStats(BASELINE, GRACE);
    started(stats, 0, 100);
    started(stats, 1, 260);

    JobStats.Delays d = stats.summary().delays();
    assertThat(d.direct().jobs()).isZero();
    assertThat(d.knockOn()).isEqualTo(new JobStats.Kind(1, 1, 60, 0));
  }
}
