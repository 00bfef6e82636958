package io.hpcwhisk.simulator.swf;

/**
 * One job line of an SWF file, with {@code -1} meaning unknown as in the format. Times are seconds.
 *
 * @param id job number (field 1)
 * @param submit submit time, seconds from the log's start (field 2)
 * @param waitTime wait time (field 3)
 * @param runTime run time (field 4)
 * @param allocatedProcs allocated processors (field 5)
 * @param requestedProcs requested processors (field 8)
 * @param requestedTime requested time, the user's estimate (field 9)
 * @param status 1 completed, 0 failed, 5 cancelled, -1 unknown (field 11)
 * @param queue queue number (field 15)
 * @param partition partition number (field 16)
 * @param line the 1-based line it came from
 */
public record SwfJob(
    long id,
    long submit,
    long waitTime,
    long runTime,
    long allocatedProcs,
    long requestedProcs,
    long requestedTime,
    int status,
    int queue,
    int partition,
    long line) {

  public static final int STATUS_CANCELLED = 5;

  /** Processors the job ran on: allocated when known, else requested. */
  public long procs() {
    return allocatedProcs > 0 ? allocatedProcs : requestedProcs;
  }
}
