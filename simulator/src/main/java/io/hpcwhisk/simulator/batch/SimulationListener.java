package io.hpcwhisk.simulator.batch;

/**
 * Hooks for tests and the FaaS layer; every method has an empty default. Times are ticks ({@link
 * TimeBase}).
 */
public interface SimulationListener {

  /** A batch job starts at {@code time} on {@code nodes}. */
  default void jobStarted(JobSpec job, long time, int[] nodes) {}

  /** A batch job ends at {@code time}. */
  default void jobEnded(JobSpec job, long time, int[] nodes) {}

  /** The planner expects {@code job} to start at {@code time} (a reservation). */
  default void reserved(JobSpec job, long time) {}

  /**
   * A pilot starts on {@code node}, with its limit in ticks, in a window that ends at {@code
   * windowEnd} (the node's next reservation, or Long.MAX_VALUE when none).
   */
  default void pilotStarted(
      String pilotId, int node, long time, long limit, long readyAt, long windowEnd) {}

  /**
   * A pilot is told to leave (preempted: it leaves after the drain time) or ends (timeout, cancel).
   */
  default void pilotStopping(String pilotId, int node, long time, boolean preempted) {}
}
