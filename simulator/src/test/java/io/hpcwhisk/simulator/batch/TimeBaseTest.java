package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model's clock unit: conversions at the edges, and the same schedule in either unit — a run
 * counted in milliseconds with whole-second settings starts every job at exactly 1000 × its start
 * in the run counted in seconds, with the same pilots, so milliseconds change nothing but what can
 * be expressed.
 */
class TimeBaseTest {

  @Test
  void picksMillisecondsOnlyForAFraction() {
    assertThat(TimeBase.fitting(0, 1, 30)).isEqualTo(TimeBase.SECONDS);
    assertThat(TimeBase.fitting(1, 0.4)).isEqualTo(TimeBase.MILLIS);
  }

  @Test
  void convertsAtTheEdges() {
    TimeBase ms = TimeBase.MILLIS;
    assertThat(ms.ticks(12)).isEqualTo(12_000);
    assertThat(ms.ticks(0.4, "drain")).isEqualTo(400);
    assertThat(ms.ticks(Duration.ofMinutes(2))).isEqualTo(120_000);
    assertThat(ms.seconds(1_500)).isEqualTo(1.5);
    assertThat(ms.millis(1_500)).isEqualTo(1_500);
    assertThat(ms.at(Instant.EPOCH, 1_500)).isEqualTo(Instant.ofEpochMilli(1_500));
    assertThat(TimeBase.SECONDS.millis(2)).isEqualTo(2_000);
    assertThat(TimeBase.SECONDS.at(Instant.EPOCH, 2)).isEqualTo(Instant.ofEpochSecond(2));
    assertThat(TimeBase.format(2.0)).isEqualTo("2");
    assertThat(TimeBase.format(0.4)).isEqualTo("0.4");
  }

  @Test
  void refusesAValueItCannotHoldInsteadOfRoundingIt() {
    assertThatThrownBy(() -> TimeBase.SECONDS.ticks(0.4, "--drain-seconds"))
        .hasMessage("--drain-seconds 0.4 s is not a whole number of seconds");
    assertThatThrownBy(() -> TimeBase.MILLIS.ticks(0.0004, "--drain-seconds"))
        .hasMessage("--drain-seconds 0.0004 s is not a whole number of milliseconds");
    assertThatThrownBy(() -> new TimeBase(10)).hasMessageContaining("1 or 1000, got 10");
  }

  @Test
  void convertsASchedulerConfigBothWays() {
    SchedulerConfig seconds =
        new SchedulerConfig(4, Algorithm.SLURM, 500, 86_400, 60, 30, 30, 2, 1);
    SchedulerConfig millis = seconds.in(TimeBase.MILLIS);
    assertThat(millis)
        .isEqualTo(
            new SchedulerConfig(
                4,
                Algorithm.SLURM,
                500,
                86_400_000,
                60_000,
                30_000,
                30_000,
                2_000,
                1_000,
                TimeBase.MILLIS));
    assertThat(millis.in(TimeBase.SECONDS)).isEqualTo(seconds);
    SchedulerConfig fraction =
        new SchedulerConfig(
            4, Algorithm.SLURM, 500, 86_400_000, 60_000, 30_000, 30_000, 400, 0, TimeBase.MILLIS);
    assertThatThrownBy(() -> fraction.in(TimeBase.SECONDS))
        .hasMessageContaining("drain time 0.4 s");
  }

  @Test
  void aDrainBeyondTheGraceTimeIsNamedInSeconds() {
    assertThatThrownBy(
            () ->
                new SchedulerConfig(
                    4,
                    Algorithm.SLURM,
                    500,
                    86_400_000,
                    60_000,
                    30_000,
                    30_000,
                    30_500,
                    0,
                    TimeBase.MILLIS))
        .hasMessage("drain time must be within 0..30 s (the grace time), got 30.5 s");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"EASY", "SLURM"})
  void theSameScheduleInEitherUnit(String algorithm) {
    List<JobSpec> jobs = randomJobs(7, 80, 8);
    SchedulerConfig seconds =
        new SchedulerConfig(8, Algorithm.valueOf(algorithm), 500, 86_400, 60, 30, 30, 2, 1);
    List<SimHarvestConfig> policies =
        List.of(
            new SimHarvestConfig("fib", Map.of(), 15, 20),
            new SimHarvestConfig("var", Map.of(), 15, 20),
            new SimHarvestConfig("adaptive", Map.of(), 15, 20));
    Starts inSeconds = new Starts(1);
    ScheduleRun.Outcome s =
        ScheduleRun.run(
            seconds,
            () -> new JobSources(1000).fixed(jobs),
            policies,
            600,
            label -> inSeconds.of(label));
    Starts inMillis = new Starts(1000);
    ScheduleRun.Outcome ms =
        ScheduleRun.run(
            seconds.in(TimeBase.MILLIS),
            () -> new JobSources(1000, TimeBase.MILLIS).fixed(jobs),
            policies,
            600,
            label -> inMillis.of(label));

    assertThat(inMillis.starts).isEqualTo(inSeconds.starts).hasSize(5);
    assertThat(inSeconds.starts.values())
        .allSatisfy(starts -> assertThat(starts).hasSize(jobs.size()));
    sameFigures(ms.baseline(), s.baseline());
    for (int i = 0; i < policies.size(); i++) {
      RunResult a = s.withPilots().get(i);
      RunResult b = ms.withPilots().get(i);
      assertThat(b.pilots()).as(a.label()).isEqualTo(a.pilots());
      sameFigures(b, a);
    }
    sameFigures(ms.yardstick().run(), s.yardstick().run());
  }

  /**
   * Equal figures, up to floating-point rounding (sums of ticks divided by 1000); the 95th
   * percentiles come from HdrHistograms kept to 3 significant digits, whose buckets differ between
   * the units, so they agree to 0.1 %.
   */
  private static void sameFigures(RunResult actual, RunResult expected) {
    Comparator<Double> close =
        (x, y) -> Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)) ? 0 : Double.compare(x, y);
    JobStats.Summary a = actual.jobs();
    JobStats.Summary e = expected.jobs();
    assertThat(a)
        .as(expected.label() + ", up to rounding")
        .usingRecursiveComparison()
        .withComparatorForType(close, Double.class)
        .ignoringFields("p95Wait", "delays.p95DelaySeconds")
        .isEqualTo(e);
    assertThat(a.p95Wait()).isCloseTo(e.p95Wait(), Assertions.withinPercentage(0.1));
    if (e.delays() != null) {
      assertThat(a.delays().p95DelaySeconds())
          .isCloseTo(e.delays().p95DelaySeconds(), Assertions.withinPercentage(0.1));
    }
    assertThat(actual.idle())
        .as("idle node-time, up to rounding")
        .usingRecursiveComparison()
        .withComparatorForType(close, Double.class)
        .isEqualTo(expected.idle());
  }

  static List<JobSpec> randomJobs(long seed, int count, int nodes) {
    SplittableRandom random = new SplittableRandom(seed);
    List<JobSpec> jobs = new ArrayList<>();
    long clock = 0;
    for (int i = 0; i < count; i++) {
      clock += random.nextLong(0, 400);
      long run = random.nextLong(0, 3000);
      long requested = run + random.nextLong(0, 2000);
      jobs.add(
          new JobSpec(i, i + 1, clock, run, Math.max(1, requested), 1 + random.nextInt(nodes), 10));
    }
    return jobs;
  }

  /** Every run's job starts in seconds, by run label and trace id. */
  static final class Starts {
    final long ticksPerSecond;
    final Map<String, Map<Long, Long>> starts = new TreeMap<>();

    Starts(long ticksPerSecond) {
      this.ticksPerSecond = ticksPerSecond;
    }

    synchronized SimulationListener of(String label) {
      Map<Long, Long> mine = new ConcurrentHashMap<>();
      starts.put(label, mine);
      return new SimulationListener() {
        @Override
        public void jobStarted(JobSpec job, long time, int[] nodes) {
          assertThat(time % ticksPerSecond).as("a whole second").isZero();
          mine.put(job.traceId(), time / ticksPerSecond);
        }
      };
    }
  }
}
