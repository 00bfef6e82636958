package io.hpcwhisk.simulator.availability;

/**
 * Receives how far a replay is, as a fraction in [0, 1]; implementations throttle their own output.
 */
public interface Progress {

  /** Progress that goes nowhere. */
  Progress NONE = fraction -> {};

  void update(double fraction);

  /** The replay is over. */
  default void done() {}
}
