package io.hpcwhisk.simulator.batch;

/**
 * A batch job as the scheduler model sees it. Times are ticks ({@link TimeBase}: seconds unless the
 * run needs milliseconds) from the trace's origin.
 *
 * @param ordinal 0-based position among the jobs accepted from the trace (the key that pairs a job
 *     across the baseline run and a run with pilots)
 * @param traceId the job's id in the trace
 * @param submit when it is submitted
 * @param runTime how long it really runs (at most {@code requestedTime})
 * @param requestedTime its time limit, which the scheduler plans with
 * @param nodes whole nodes it needs
 * @param tier the priority tier of its partition (higher is scheduled first and may preempt lower
 *     tiers)
 */
public record JobSpec(
    long ordinal,
    long traceId,
    long submit,
    long runTime,
    long requestedTime,
    int nodes,
    int tier) {

  public JobSpec {
    if (ordinal < 0 || submit < 0 || runTime < 0 || requestedTime < runTime || nodes < 1) {
      throw new IllegalArgumentException(
          "job "
              + traceId
              + ": need ordinal >= 0, submit >= 0, 0 <= run time <= "
              + "requested time and nodes >= 1, got ordinal "
              + ordinal
              + ", submit "
              + submit
              + ", run "
              + runTime
              + ", requested "
              + requestedTime
              + ", nodes "
              + nodes);
    }
  }
}
