package io.hpcwhisk.simulator.batch;

import java.util.SplittableRandom;

/**
 * Where inside its whole second a trace's time falls, for a run that counts milliseconds; why and
 * how: docs/simulator-guide.md, "Spread" and "Whole-second ties" (e.g. a job recorded at second 12
 * running 100 s may become submitted at 12.734 s, running 99.208 s).
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
