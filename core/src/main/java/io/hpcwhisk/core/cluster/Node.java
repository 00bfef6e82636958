package io.hpcwhisk.core.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * One node of the harvest partition in a snapshot.
 *
 * @param name the node name, as Slurm spells it
 * @param state its state
 * @param window its backfill window; present exactly when the state is {@link
 *     NodeState#harvestable()}
 */
public record Node(String name, NodeState state, Optional<Window> window) {

  public Node {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(window, "window");
    if (name.isBlank()) {
      throw new IllegalArgumentException("node name is blank");
    }
    if (state.harvestable() != window.isPresent()) {
      throw new IllegalArgumentException(
          "node "
              + name
              + " in state "
              + state
              + (window.isPresent() ? " cannot have" : " needs")
              + " a window");
    }
  }

  /** A node that cannot be harvested now (allocated, mixed, reserved, drained, down). */
  public static Node busy(String name, NodeState state) {
    return new Node(name, state, Optional.empty());
  }

  /** A harvestable node with its window. */
  public static Node free(String name, NodeState state, Window window) {
    return new Node(name, state, Optional.of(window));
  }
}
