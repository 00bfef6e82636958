package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.JobState;

/** Where a pilot is in its life. */
public enum PilotState {
  PENDING,
  RUNNING,
  /** Cancelled by the scheduler to make room for a batch job. */
  PREEMPTED,
  /** Reached its time limit. */
  TIMED_OUT,
  /** Ended with an error, a node failure or a boot failure. */
  FAILED,
  /** Ended by itself before its limit. */
  COMPLETED,
  /** Cancelled (by us or an administrator). */
  CANCELLED;

  public boolean active() {
    return this == PENDING || this == RUNNING;
  }

  /** The pilot state for a job state. */
  public static PilotState of(JobState state) {
    return switch (state) {
      case PENDING -> PENDING;
      case RUNNING, SUSPENDED, COMPLETING -> RUNNING;
      case PREEMPTED -> PREEMPTED;
      case TIMEOUT, DEADLINE -> TIMED_OUT;
      case COMPLETED -> COMPLETED;
      case CANCELLED -> CANCELLED;
      case FAILED, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, OTHER -> FAILED;
    };
  }
}
