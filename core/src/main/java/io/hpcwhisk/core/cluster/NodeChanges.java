package io.hpcwhisk.core.cluster;

import java.util.List;
import java.util.Objects;

/**
 * Which nodes of a snapshot changed state since an earlier snapshot of the same nodes: its maker's
 * previous one, identified by its node list. A reader that remembers the earlier snapshot's list
 * (the same object) can visit only these positions instead of every node.
 */
public final class NodeChanges {

  private final List<Node> since;
  private final int[] positions;

  /**
   * @param since the node list of the earlier snapshot (the same names in the same order)
   * @param positions the positions in the node list whose state changed since, ascending; taken as
   *     they are
   */
  public NodeChanges(List<Node> since, int[] positions) {
    this.since = Objects.requireNonNull(since, "since");
    this.positions = Objects.requireNonNull(positions, "positions");
  }

  /**
   * True when these are the changes since the snapshot whose node list is {@code nodes} (the same
   * object).
   */
  public boolean since(List<Node> nodes) {
    return nodes == since;
  }

  /** The positions that changed state, ascending (a copy). */
  public int[] positions() {
    return positions.clone();
  }
}
