package io.hpcwhisk.core.cluster;

/**
 * The state of one node as the harvester sees it. Slurm reports a base state plus flags; the
 * adapter folds them into one of these, the most restrictive winning (a drained idle node is {@link
 * #DRAIN}).
 */
public enum NodeState {
  /** Allocated to nothing and no job is planned on it. */
  IDLE,
  /** Idle now, but the backfill scheduler holds it for a pending job that will start later. */
  PLANNED,
  /** Idle but inside an advance reservation; pilots cannot start there. */
  RESERVED,
  /** Every CPU allocated. */
  ALLOCATED,
  /** Some CPUs allocated. */
  MIXED,
  /** Drained or draining by an administrator: no new jobs. */
  DRAIN,
  /** Down, not responding, or failed. */
  DOWN;

  /**
   * True when a pilot may start on the node now: it runs nothing and is neither reserved nor out of
   * service.
   */
  public boolean harvestable() {
    return this == IDLE || this == PLANNED;
  }

  /** True when the node runs no job (whether or not pilots may use it). */
  public boolean free() {
    return this == IDLE || this == PLANNED || this == RESERVED;
  }
}
