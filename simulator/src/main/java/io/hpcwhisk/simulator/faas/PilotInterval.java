package io.hpcwhisk.simulator.faas;

/**
 * The life of one pilot as the batch run produced it, in milliseconds from the trace start.
 *
 * @param id the pilot's job id
 * @param startMs when Slurm started it
 * @param readyMs when it became ready (Long.MAX_VALUE if never)
 * @param deadlineMs the end of its Slurm job (start + limit), what it tells the router
 * @param stopMs when it stopped taking work: SIGTERM on preemption, or its end
 * @param goneMs when it left the node (stop + drain when preempted, else stop)
 */
public record PilotInterval(
    String id, long startMs, long readyMs, long deadlineMs, long stopMs, long goneMs) {}
