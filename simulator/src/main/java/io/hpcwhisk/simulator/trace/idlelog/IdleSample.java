package io.hpcwhisk.simulator.trace.idlelog;

import java.util.BitSet;
import java.util.Objects;

/**
 * One record of the idle-node log: at {@code epochSecond}, the nodes holding a running pilot and
 * the nodes that {@code sinfo} reported exactly {@code idle}. Node ids are the four digits of the
 * name ({@code p0016} is 16).
 *
 * @param epochSecond the record's unix timestamp
 * @param invokers nodes that held a running pilot (the {@code invokers:} line)
 * @param idle nodes in an {@code sinfo} line whose state is exactly {@code idle}
 * @param line the 1-based line of the timestamp in the file, for messages
 */
public record IdleSample(long epochSecond, BitSet invokers, BitSet idle, long line) {

  public IdleSample {
    Objects.requireNonNull(invokers, "invokers");
    Objects.requireNonNull(idle, "idle");
    invokers = (BitSet) invokers.clone();
    idle = (BitSet) idle.clone();
  }

  @Override
  public BitSet invokers() {
    return (BitSet) invokers.clone();
  }

  @Override
  public BitSet idle() {
    return (BitSet) idle.clone();
  }

  /** The nodes available for harvesting in this sample: idle or holding a pilot (a fresh copy). */
  public BitSet available() {
    BitSet available = (BitSet) idle.clone();
    available.or(invokers);
    return available;
  }
}
