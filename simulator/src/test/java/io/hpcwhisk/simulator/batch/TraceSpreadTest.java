package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceSpreadTest {

  private static final String TRACE = "synthetic:jobs=1000,seed=3,load=0.95,maxnodes=16";

  @Test
  void everyTimeStaysInsideItsSecondInOrderAndTheSameSeedGivesTheSameTrace() {
    List<JobSpec> recorded = jobs(null);
    List<JobSpec> spread = jobs(new TraceSpread(7));
    assertThat(jobs(new TraceSpread(7))).as("the same seed on another pass").isEqualTo(spread);
    assertThat(jobs(new TraceSpread(8))).as("another seed").isNotEqualTo(spread);

    assertThat(spread).hasSameSizeAs(recorded);
    int movedSubmits = 0;
    for (int i = 0; i < spread.size(); i++) {
      JobSpec r = recorded.get(i);
      JobSpec s = spread.get(i);
      assertThat(s.submit()).as("submit of job %d", i).isBetween(r.submit(), r.submit() + 999);
      assertThat(s.runTime())
          .as("run time of job %d", i)
          .isBetween(Math.max(0, r.runTime() - 999), r.runTime());
      assertThat(s.requestedTime())
          .as("planned with the recorded limit")
          .isEqualTo(r.requestedTime());
      assertThat(List.of(s.ordinal(), s.traceId(), s.nodes(), s.tier()))
          .isEqualTo(List.of(r.ordinal(), r.traceId(), r.nodes(), r.tier()));
      if (i > 0) {
        assertThat(s.submit()).as("ordered").isGreaterThanOrEqualTo(spread.get(i - 1).submit());
      }
      movedSubmits += s.submit() % 1000 != 0 ? 1 : 0;
    }
    assertThat(movedSubmits).as("submits off the whole second").isGreaterThan(990);
  }

  /**
   * The reason for the spread: with whole-second times a 1 ms hand-over moves jobs past backfill
   * passes they met exactly (a whole bf_interval or more late); spread, a 1 ms hand-over delays
   * every job by milliseconds, as on a cluster where jobs end at any instant.
   */
  @Test
  void aOneMillisecondDrainNoLongerMovesJobsPastABackfillPass() {
    SchedulerConfig config =
        SchedulerConfig.defaults(64, Algorithm.SLURM).in(TimeBase.MILLIS).withDrain(1);
    List<SimHarvestConfig> adaptive = List.of(new SimHarvestConfig("adaptive", Map.of(), 15, 20));

    ScheduleRun.Outcome ties =
        ScheduleRun.run(
            config,
            () -> new JobSources(64, TimeBase.MILLIS).synthetic(TRACE),
            adaptive,
            600,
            null);
    ScheduleRun.Outcome spread =
        ScheduleRun.run(
            config,
            () -> new JobSources(64, TimeBase.MILLIS, new TraceSpread(1)).synthetic(TRACE),
            adaptive,
            600,
            null);

    JobStats.Delays tied = ties.withPilots().get(0).jobs().delays();
    assertThat(tied.delayedBeyondGrace())
        .as("whole-second ties: jobs moved past a pass")
        .isPositive();
    assertThat(tied.maxDelaySeconds()).isGreaterThanOrEqualTo(30);
    JobStats.Delays spreadDelays = spread.withPilots().get(0).jobs().delays();
    assertThat(spreadDelays.direct().jobs()).as("pilots were preempted").isPositive();
    assertThat(spreadDelays.delayedBeyondGrace()).isZero();
    assertThat(spreadDelays.maxDelaySeconds())
        .as("milliseconds, chains of 1 ms hand-overs")
        .isLessThan(0.1);
    assertThat(spread.yardstick().run().jobs().delays().maxDelaySeconds()).isLessThan(0.1);
  }

  @Test
  void aSpreadNeedsARunInMilliseconds() {
    assertThatThrownBy(() -> new JobSources(4, TimeBase.SECONDS, new TraceSpread(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a run in milliseconds");
    assertThatThrownBy(
            () ->
                new ScheduleRequest(
                    TRACE,
                    64,
                    0,
                    SchedulerConfig.defaults(64, Algorithm.SLURM),
                    List.of("adaptive"),
                    Map.of(),
                    15,
                    20,
                    600,
                    null,
                    false,
                    null,
                    new TraceSpread(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("counting milliseconds");
  }

  private static List<JobSpec> jobs(TraceSpread spread) {
    List<JobSpec> out = new ArrayList<>();
    try (JobSources.Source source = new JobSources(64, TimeBase.MILLIS, spread).synthetic(TRACE)) {
      source.jobs().forEachRemaining(out::add);
    }
    return out;
  }
}
