package io.hpcwhisk.core.cluster;

/** The state of a job, as the harvester distinguishes them. */
public enum JobState {
  PENDING,
  RUNNING,
  SUSPENDED,
  COMPLETING,
  COMPLETED,
  CANCELLED,
  FAILED,
  TIMEOUT,
  PREEMPTED,
  NODE_FAIL,
  OUT_OF_MEMORY,
  BOOT_FAIL,
  DEADLINE,
  /** Any state the adapter does not know; treated as finished. */
  OTHER;

  /** True while the job waits for or holds nodes. */
  public boolean active() {
    return this == PENDING || this == RUNNING || this == SUSPENDED || this == COMPLETING;
  }
}
