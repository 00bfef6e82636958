package io.hpcwhisk.core.cluster;

import java.util.Objects;
import java.util.Set;

/**
 * A node as an adapter observed it, before the snapshot keeps only the harvest partition.
 *
 * @param name node name
 * @param state its folded state
 * @param partitions every partition the node belongs to
 */
public record NodeInfo(String name, NodeState state, Set<String> partitions) {

  public NodeInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    partitions = Set.copyOf(partitions);
    if (name.isBlank()) {
      throw new IllegalArgumentException("node name is blank");
    }
  }
}
