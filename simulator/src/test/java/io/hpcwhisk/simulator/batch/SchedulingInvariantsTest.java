package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariants on random small traces (seeded), for both schedulers, without pilots and with each
 * policy: a job never starts before its submit; a node never holds two batch jobs, nor a batch job
 * and a pilot; a pilot never starts longer than its node's window (it ends before the next
 * reservation there); every job starts once and ends; under EASY without pilots the head job never
 * starts after the reservation it got when it became head (with pilots: not after it plus the drain
 * time). With pilots, every controller pass also checks that the incremental snapshot equals the
 * plain {@code SnapshotBuilder}'s snapshot of the same state.
 */
class SchedulingInvariantsTest {

  static List<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Algorithm algorithm : Algorithm.values()) {
      for (String policy : new String[] {"none", "fib", "var", "adaptive"}) {
        for (long seed = 1; seed <= 6; seed++) {
          out.add(Arguments.of(algorithm, policy, seed));
        }
      }
    }
    return out;
  }

  /** Two seeds per scheduler and policy. */
  static List<Arguments> millisecondCases() {
    return cases().stream().filter(a -> (long) a.get()[2] <= 2).toList();
  }

  @ParameterizedTest(name = "{0} {1} seed {2}")
  @MethodSource("cases")
  void invariantsHold(Algorithm algorithm, String policy, long seed) {
    check(algorithm, policy, seed, new SchedulerConfig(8, algorithm, 500, 86_400, 60, 30, 30, 10));
  }

  /**
   * The same in milliseconds, with a 400 ms drain and jobs whose submit, run and requested times
   * have fractions of a second (whole ticks, not whole seconds).
   */
  @ParameterizedTest(name = "{0} {1} seed {2}")
  @MethodSource("millisecondCases")
  void invariantsHoldInMilliseconds(Algorithm algorithm, String policy, long seed) {
    check(
        algorithm,
        policy,
        seed,
        new SchedulerConfig(
            8, algorithm, 500, 86_400_000, 60_000, 30_000, 30_000, 400, 0, TimeBase.MILLIS));
  }

  private static void check(Algorithm algorithm, String policy, long seed, SchedulerConfig config) {
    int nodes = config.nodes();
    long tick = config.time().ticksPerSecond();
    SplittableRandom random = new SplittableRandom(seed);
    List<JobSpec> jobs = new ArrayList<>();
    long clock = 0;
    for (int i = 0; i < 60; i++) {
      clock += random.nextLong(0, 400 * tick);
      long run = random.nextLong(0, 3000 * tick);
      long requested = run + random.nextLong(0, 2000 * tick);
      jobs.add(
          new JobSpec(i, i + 1, clock, run, Math.max(1, requested), 1 + random.nextInt(nodes), 10));
    }
    Checker checker = new Checker(nodes, config.drainTime(), algorithm == Algorithm.EASY);
    PilotHarvester harvester =
        policy.equals("none")
            ? null
            : new PilotHarvester(new SimHarvestConfig(policy, Map.of(), 15, 20), 0);
    if (harvester != null) {
      harvester.verifySnapshots();
    }
    BatchSimulation sim = new BatchSimulation(config, harvester, null, 600, checker);
    sim.run(jobs.iterator());

    assertThat(checker.violations).isEmpty();
    assertThat(checker.started).hasSize(jobs.size());
    assertThat(checker.ended).isEqualTo(jobs.size());
    if (harvester != null) {
      assertThat(harvester.counters().started).isPositive();
      assertThat(harvester.counters().controllerPasses).isPositive();
    }
  }

  static final class Checker implements SimulationListener {
    final long[] batchOwner;
    final String[] pilotOn;
    final long drain;
    final boolean easy;
    final Map<Long, Long> firstReservation = new HashMap<>();
    final Map<Long, Long> started = new HashMap<>();
    final List<String> violations = new ArrayList<>();
    int ended;

    Checker(int nodes, long drain, boolean easy) {
      batchOwner = new long[nodes];
      Arrays.fill(batchOwner, -1);
      pilotOn = new String[nodes];
      this.drain = drain;
      this.easy = easy;
    }

    @Override
    public void jobStarted(JobSpec job, long time, int[] nodes) {
      if (time < job.submit()) {
        violations.add(
            "job " + job.ordinal() + " started at " + time + " before its submit " + job.submit());
      }
      if (started.put(job.ordinal(), time) != null) {
        violations.add("job " + job.ordinal() + " started twice");
      }
      if (nodes.length != job.nodes() || Arrays.stream(nodes).distinct().count() != nodes.length) {
        violations.add("job " + job.ordinal() + " got nodes " + Arrays.toString(nodes));
      }
      for (int node : nodes) {
        if (batchOwner[node] >= 0) {
          violations.add(
              "node "
                  + node
                  + " given to job "
                  + job.ordinal()
                  + " while job "
                  + batchOwner[node]
                  + " holds it");
        }
        if (pilotOn[node] != null) {
          violations.add(
              "node "
                  + node
                  + " given to job "
                  + job.ordinal()
                  + " while pilot "
                  + pilotOn[node]
                  + " is on it");
        }
        batchOwner[node] = job.ordinal();
      }
      Long reserved = firstReservation.get(job.ordinal());
      if (easy && reserved != null && time > reserved + drain) {
        violations.add(
            "EASY head job " + job.ordinal() + " reserved at " + reserved + " started at " + time);
      }
    }

    @Override
    public void jobEnded(JobSpec job, long time, int[] nodes) {
      ended++;
      for (int node : nodes) {
        batchOwner[node] = -1;
      }
    }

    @Override
    public void reserved(JobSpec job, long time) {
      firstReservation.putIfAbsent(job.ordinal(), time);
    }

    @Override
    public void pilotStarted(
        String pilotId, int node, long time, long limit, long readyAt, long windowEnd) {
      if (batchOwner[node] >= 0 || pilotOn[node] != null) {
        violations.add("pilot " + pilotId + " started on busy node " + node);
      }
      if (time + limit > windowEnd) {
        violations.add(
            "pilot "
                + pilotId
                + " of "
                + limit
                + " s started at "
                + time
                + " in a window ending at "
                + windowEnd);
      }
      pilotOn[node] = pilotId;
    }

    @Override
    public void pilotStopping(String pilotId, int node, long time, boolean preempted) {
      pilotOn[node] = null;
    }
  }
}
