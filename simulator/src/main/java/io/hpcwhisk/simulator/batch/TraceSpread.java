package io.hpcwhisk.simulator.batch;

import java.util.SplittableRandom;

/**
 * Where inside its whole second a trace's time falls, for a run that counts milliseconds.
 *
 * <p><b>Why.</b> Traces record whole seconds. Counted in milliseconds, an unspread trace still puts
 * every submit and every job end on a whole second, and the backfill passes ({@code bf_interval}
 * apart from the first submit) too: a job ending at second 600 is seen by the pass at 600, and the
 * same job ending 1 ms later (a pilot handed its node over 1 ms late) misses it and its follower
 * waits a whole {@code bf_interval}. On a real cluster a job ends at any instant, so a hand-over of
 * {@code d} moves it past a pass with a chance of about {@code d / bf_interval}; with whole-second
 * times that chance is 1 in {@code bf_interval} for any {@code d} up to a second. Spreading the
 * trace's times inside their seconds removes those ties, so that the effect of a sub-second setting
 * scales with it.
 *
 * <p><b>Algorithm.</b> For each accepted job, in trace order, from one {@link SplittableRandom}
 * seeded with {@link #seed}: the submit moves to a uniformly drawn millisecond of its second (never
 * before the previous job's, so the stream stays ordered; it stays inside its own second), and the
 * run time is shortened by a uniform {@code [0, 1000)} ms (the recorded second read as rounded up,
 * down to 0), so that a job killed at its time limit no longer ends exactly on the limit's whole
 * second either. Requested times stay whole seconds: the scheduler plans with them. The same seed
 * gives the same times on every pass over the trace, so the baseline, the yardstick and every run
 * with pilots see one spread trace.
 *
 * <p><b>Example.</b> A job recorded as submitted at second 12 with a run time of 100 s may become:
 * submitted at 12.734 s, running 99.208 s.
 *
 * @param seed the random seed (the runs are reproducible per seed)
 */
public record TraceSpread(long seed) {

  /** A spreader for one pass over a trace. */
  Pass pass() {
    return new Pass(new SplittableRandom(seed));
  }

  /** The spread state of one pass: the random stream and the last spread submit. */
  static final class Pass {
    private final SplittableRandom random;
    private long lastSubmit;

    private Pass(SplittableRandom random) {
      this.random = random;
    }

    /** The job with times in milliseconds ({@code millis}), spread inside their seconds. */
    JobSpec spread(JobSpec millis) {
      long submit = Math.max(lastSubmit, millis.submit() + random.nextLong(1000));
      lastSubmit = submit;
      long run = Math.max(0, millis.runTime() - random.nextLong(1000));
      return new JobSpec(
          millis.ordinal(),
          millis.traceId(),
          submit,
          run,
          millis.requestedTime(),
          millis.nodes(),
          millis.tier());
    }
  }
}
