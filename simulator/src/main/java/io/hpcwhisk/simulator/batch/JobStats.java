package io.hpcwhisk.simulator.batch;

import java.util.Arrays;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * Per-job figures of one run, in bounded memory: wait time and bounded slowdown (τ = 10 s) as
 * HdrHistograms plus sums for the means, and per job ordinal its start time and its own wait for
 * preempted pilots (12 bytes a job) so that a later run can be compared job by job. When a
 * baseline's starts are given, each start is also compared with the baseline's: jobs delayed, by
 * how much, and how many beyond the grace time, split into two kinds:
 *
 * <ul>
 *   <li><b>direct</b>: the job preempted pilots and its delay is no more than its own wait for them
 *       to leave (the drain time, at most the grace time) — the cost a harvester causes by itself;
 *   <li><b>knock-on</b>: every other delayed job — it preempted nothing, or it was delayed by more
 *       than its own wait: it started later because earlier jobs ended later (each of those waited
 *       for its pilots), so it missed a backfill pass or a backfill decision went the other way.
 * </ul>
 */
public final class JobStats {

  /** τ of the bounded slowdown, in seconds. */
  static final long BSLD_TAU = 10;

  /**
   * Waits and delays in ticks to 4 significant digits: exact below 32,768 (9 hours in seconds),
   * within 0.01 % above; 3 digits would turn a p95 wait of 20,863 s into buckets 16 s wide. Int
   * counts: 1.7 MB each.
   */
  private final AbstractHistogram waits = new IntCountsHistogram(1L << 40, 4);

  private final AbstractHistogram slowdowns = new IntCountsHistogram(1L << 40, 3);
  private final AbstractHistogram delays = new IntCountsHistogram(1L << 40, 4);
  private long[] baseline;
  private final long grace;
  private final TimeBase time;
  private final long tau;
  private long[] starts = new long[1024];

  /**
   * Per ordinal: 1 + the ticks the job waited for preempted pilots to leave; 0 when it preempted
   * none.
   */
  private int[] pilotWaits = new int[1024];

  private int ordinals;
  private long jobs;
  private double waitSum;
  private double slowdownSum;
  private long delayed;
  private long delayedBeyondGrace;
  private long earlier;
  private long maxDelay;
  private double delaySum;
  private long waitedForPilots;
  private final long[] direct = new long[4]; // jobs, beyond grace, max delay, waited for pilots
  private final long[] knockOn = new long[4];

  /** In seconds. */
  JobStats(long[] baseline, long grace) {
    this(baseline, grace, TimeBase.SECONDS);
  }

  /**
   * Starts, {@code grace} and every time given later in ticks of {@code time}; the summary is in
   * seconds.
   */
  JobStats(long[] baseline, long grace, TimeBase time) {
    this.baseline = baseline;
    this.grace = grace;
    this.time = time;
    this.tau = time.ticks(BSLD_TAU);
  }

  void started(JobSpec spec, long start) {
    long wait = start - spec.submit();
    double bsld = Math.max(1.0, (double) (wait + spec.runTime()) / Math.max(spec.runTime(), tau));
    jobs++;
    waitSum += wait;
    slowdownSum += bsld;
    waits.recordValue(wait);
    slowdowns.recordValue(Math.round(bsld * 100));
    int at = Math.toIntExact(spec.ordinal());
    if (at >= starts.length) {
      starts = Arrays.copyOf(starts, Math.max(at + 1, starts.length * 2));
    }
    starts[at] = start;
    ordinals = Math.max(ordinals, at + 1);
    if (baseline != null && at < baseline.length) {
      compare(at, start, baseline[at]);
    }
  }

  /**
   * Compares every start of this run with the baseline's (for a run made without one, for example
   * in parallel with its baseline); the result is the same as giving the baseline at construction.
   */
  void compareWith(long[] baselineStarts) {
    if (baseline != null) {
      throw new IllegalStateException("already compared with a baseline");
    }
    baseline = baselineStarts;
    for (int at = 0; at < Math.min(ordinals, baselineStarts.length); at++) {
      compare(at, starts[at], baselineStarts[at]);
    }
  }

  private void compare(int at, long start, long base) {
    long delay = start - base;
    if (delay > 0) {
      delayed++;
      delaySum += delay;
      delays.recordValue(delay);
      maxDelay = Math.max(maxDelay, delay);
      if (delay > grace) {
        delayedBeyondGrace++;
      }
      long ownWait = at < pilotWaits.length ? pilotWaits[at] - 1 : -1;
      long[] kind = ownWait >= 0 && delay <= ownWait ? direct : knockOn;
      kind[0]++;
      kind[1] += delay > grace ? 1 : 0;
      kind[2] = Math.max(kind[2], delay);
      kind[3] += ownWait >= 0 ? 1 : 0;
    } else if (delay < 0) {
      earlier++;
    }
  }

  /**
   * The job with this ordinal preempted pilots and waits {@code ticks} for them to leave before it
   * starts (the direct cost of harvesting); called before {@link #started}.
   */
  void waitedForPilots(long ordinal, long ticks) {
    waitedForPilots++;
    int at = Math.toIntExact(ordinal);
    if (at >= pilotWaits.length) {
      pilotWaits = Arrays.copyOf(pilotWaits, Math.max(at + 1, pilotWaits.length * 2));
    }
    pilotWaits[at] = Math.toIntExact(ticks + 1);
  }

  /**
   * Start times by ordinal (only the first {@code jobs} entries, in ordinal order, are meaningful).
   */
  long[] starts(long count) {
    return Arrays.copyOf(starts, Math.toIntExact(count));
  }

  /** The figures, times in seconds. */
  public Summary summary() {
    return new Summary(
        jobs,
        jobs == 0 ? 0 : s(waitSum / jobs),
        s(waits.getValueAtPercentile(95)),
        jobs == 0 ? 0 : slowdownSum / jobs,
        slowdowns.getValueAtPercentile(95) / 100.0,
        baseline == null
            ? null
            : new Delays(
                delayed,
                delayedBeyondGrace,
                earlier,
                s(maxDelay),
                delayed == 0 ? 0 : s(delaySum / delayed),
                s(delays.getValueAtPercentile(95)),
                waitedForPilots,
                new Kind(direct[0], direct[1], s(direct[2]), direct[3]),
                new Kind(knockOn[0], knockOn[1], s(knockOn[2]), knockOn[3])));
  }

  private double s(double ticks) {
    return ticks / time.ticksPerSecond();
  }

  /**
   * @param jobs jobs started
   * @param meanWait mean wait in seconds
   * @param p95Wait 95th percentile of the wait in seconds
   * @param meanBoundedSlowdown mean of max(1, (wait + run) / max(run, 10 s))
   * @param p95BoundedSlowdown its 95th percentile
   * @param delays against the baseline; null for the baseline itself
   */
  public record Summary(
      long jobs,
      double meanWait,
      double p95Wait,
      double meanBoundedSlowdown,
      double p95BoundedSlowdown,
      Delays delays) {}

  /**
   * @param delayed jobs that started later than without pilots
   * @param delayedBeyondGrace of those, jobs delayed by more than the grace time
   * @param earlier jobs that started earlier than without pilots (the schedule shifted)
   * @param maxDelaySeconds the largest delay
   * @param meanDelaySeconds mean delay of the delayed jobs
   * @param p95DelaySeconds 95th percentile of the delay of the delayed jobs
   * @param waitedForPilots jobs that preempted pilots and waited for them to leave (each such wait
   *     is the drain time, at most the grace time), delayed or not
   * @param direct delayed jobs whose delay is no more than their own wait for pilots
   * @param knockOn the other delayed jobs: moved by earlier jobs' shifts (some of them also waited
   *     for pilots)
   */
  public record Delays(
      long delayed,
      long delayedBeyondGrace,
      long earlier,
      double maxDelaySeconds,
      double meanDelaySeconds,
      double p95DelaySeconds,
      long waitedForPilots,
      Kind direct,
      Kind knockOn) {}

  /**
   * One kind of delay.
   *
   * @param jobs delayed jobs of this kind
   * @param beyondGrace of those, delayed by more than the grace time
   * @param maxDelaySeconds the largest delay of this kind (0 when none)
   * @param waitedForPilots of those, jobs that preempted pilots themselves
   */
  public record Kind(long jobs, long beyondGrace, double maxDelaySeconds, long waitedForPilots) {}
}
