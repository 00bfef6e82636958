package io.hpcwhisk.simulator.batch;

/** How the batch partition is scheduled. */
public enum Algorithm {
  /** FCFS with EASY backfilling: one reservation (the head job's), later jobs may not delay it. */
  EASY,
  /**
   * Slurm's sched/backfill: the main scheduler starts jobs in priority order until one does not
   * fit, and every {@code bf_interval} a backfill pass reserves nodes for the first {@code
   * bf_max_job_test} pending jobs within {@code bf_window} at {@code bf_resolution}; lower-priority
   * jobs start only where they delay no reservation.
   */
  SLURM
}
