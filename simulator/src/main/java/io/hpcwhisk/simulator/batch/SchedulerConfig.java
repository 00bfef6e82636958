package io.hpcwhisk.simulator.batch;

import java.util.Objects;

/**
 * Settings of the modelled scheduler, named as in slurm.conf. Durations in ticks of {@code time}:
 * seconds unless a setting needs a fraction of one ({@link TimeBase}).
 *
 * @param nodes nodes in the cluster (whole-node allocation, as select/linear)
 * @param algorithm EASY or SLURM
 * @param bfMaxJobTest pending jobs the backfill looks at per pass (Slurm default 500; EASY uses it
 *     to bound its scan)
 * @param bfWindow how far ahead reservations are made (Slurm default 1440 min = 86,400 s)
 * @param bfResolution time granularity of the backfill plan (Slurm default 60 s)
 * @param bfInterval seconds between Slurm backfill passes (Slurm default 30 s)
 * @param graceTime GraceTime of the harvest partition: a preempted pilot is killed this long after
 *     SIGTERM
 * @param drainTime how long a preempted pilot really takes to leave (at most the grace time; the
 *     batch job waits this long)
 * @param completingTime how long a finished job's nodes stay COMPLETING (epilog, cleanup) before
 *     another job can use them (default 0)
 * @param time the unit of the durations above and of every time in the run
 */
public record SchedulerConfig(
    int nodes,
    Algorithm algorithm,
    int bfMaxJobTest,
    long bfWindow,
    long bfResolution,
    long bfInterval,
    long graceTime,
    long drainTime,
    long completingTime,
    TimeBase time) {

  public static final int DEFAULT_BF_MAX_JOB_TEST = 500;
  public static final long DEFAULT_BF_WINDOW = 86_400;
  public static final long DEFAULT_BF_RESOLUTION = 60;
  public static final long DEFAULT_BF_INTERVAL = 30;
  public static final long DEFAULT_GRACE = 30;

  public SchedulerConfig {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(time, "time");
    if (nodes < 1
        || bfMaxJobTest < 1
        || bfWindow < 1
        || bfResolution < 1
        || bfInterval < 1
        || graceTime < 0) {
      throw new IllegalArgumentException(
          "scheduler settings out of range: nodes "
              + nodes
              + ", bf_max_job_test "
              + bfMaxJobTest
              + ", bf_window "
              + s(time, bfWindow)
              + ", bf_resolution "
              + s(time, bfResolution)
              + ", bf_interval "
              + s(time, bfInterval)
              + ", grace "
              + s(time, graceTime)
              + " (all must be >= 1, grace >= 0)");
    }
    if (completingTime < 0) {
      throw new IllegalArgumentException(
          "completing time must be >= 0 s, got " + s(time, completingTime));
    }
    if (drainTime < 0 || drainTime > graceTime) {
      throw new IllegalArgumentException(
          "drain time must be within 0.."
              + s(time, graceTime)
              + " (the grace time), "
              + "got "
              + s(time, drainTime));
    }
  }

  private static String s(TimeBase time, long ticks) {
    return TimeBase.format(time.seconds(ticks)) + " s";
  }

  /** In seconds. */
  public SchedulerConfig(
      int nodes,
      Algorithm algorithm,
      int bfMaxJobTest,
      long bfWindow,
      long bfResolution,
      long bfInterval,
      long graceTime,
      long drainTime,
      long completingTime) {
    this(
        nodes,
        algorithm,
        bfMaxJobTest,
        bfWindow,
        bfResolution,
        bfInterval,
        graceTime,
        drainTime,
        completingTime,
        TimeBase.SECONDS);
  }

  /** In seconds, without a COMPLETING delay. */
  public SchedulerConfig(
      int nodes,
      Algorithm algorithm,
      int bfMaxJobTest,
      long bfWindow,
      long bfResolution,
      long bfInterval,
      long graceTime,
      long drainTime) {
    this(
        nodes,
        algorithm,
        bfMaxJobTest,
        bfWindow,
        bfResolution,
        bfInterval,
        graceTime,
        drainTime,
        0);
  }

  /** Slurm's defaults in seconds; the drain time is the whole grace time. */
  public static SchedulerConfig defaults(int nodes, Algorithm algorithm) {
    return new SchedulerConfig(
        nodes,
        algorithm,
        DEFAULT_BF_MAX_JOB_TEST,
        DEFAULT_BF_WINDOW,
        DEFAULT_BF_RESOLUTION,
        DEFAULT_BF_INTERVAL,
        DEFAULT_GRACE,
        DEFAULT_GRACE);
  }

  /**
   * The same settings in another unit (every duration converted; {@code MILLIS} to {@code SECONDS}
   * must be exact).
   */
  public SchedulerConfig in(TimeBase to) {
    if (to.equals(time)) {
      return this;
    }
    return new SchedulerConfig(
        nodes,
        algorithm,
        bfMaxJobTest,
        convert(bfWindow, to, "bf_window"),
        convert(bfResolution, to, "bf_resolution"),
        convert(bfInterval, to, "bf_interval"),
        convert(graceTime, to, "grace time"),
        convert(drainTime, to, "drain time"),
        convert(completingTime, to, "completing time"),
        to);
  }

  private long convert(long ticks, TimeBase to, String what) {
    return to.ticks(time.seconds(ticks), what);
  }

  /** With another node count. */
  public SchedulerConfig withNodes(int count) {
    return new SchedulerConfig(
        count,
        algorithm,
        bfMaxJobTest,
        bfWindow,
        bfResolution,
        bfInterval,
        graceTime,
        drainTime,
        completingTime,
        time);
  }

  /** With another drain time (ticks). */
  public SchedulerConfig withDrain(long ticks) {
    return new SchedulerConfig(
        nodes,
        algorithm,
        bfMaxJobTest,
        bfWindow,
        bfResolution,
        bfInterval,
        graceTime,
        ticks,
        completingTime,
        time);
  }

  /** With another COMPLETING time (ticks). */
  public SchedulerConfig withCompleting(long ticks) {
    return new SchedulerConfig(
        nodes,
        algorithm,
        bfMaxJobTest,
        bfWindow,
        bfResolution,
        bfInterval,
        graceTime,
        drainTime,
        ticks,
        time);
  }
}
