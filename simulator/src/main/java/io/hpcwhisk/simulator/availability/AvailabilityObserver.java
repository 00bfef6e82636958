package io.hpcwhisk.simulator.availability;

import java.util.BitSet;

/**
 * Receives the availability matrix one sample (column) at a time. For each sample the driver first
 * reports the runs that ended just before it, then the sample; at the end it reports the runs still
 * open, then {@link #onFinish}. Sample indexes count from 0 inside the window.
 */
public interface AvailabilityObserver {

  /**
   * Called once per sample in time order.
   *
   * @param index the sample's index in the window
   * @param epochSecond the sample's unix timestamp
   * @param available the available nodes; read only, valid during the call only
   */
  void onSample(int index, long epochSecond, BitSet available);

  /**
   * A maximal run of available samples on {@code node} covered samples {@code [startIndex,
   * endIndex)}. {@code endIndex} is the first sample where the node was not available, or the
   * number of samples.
   */
  default void onRunEnd(int node, int startIndex, int endIndex) {}

  /** The replay is over: {@code samples} samples, nodes indexed {@code 0..nodes-1}. */
  default void onFinish(int samples, int nodes) {}
}
