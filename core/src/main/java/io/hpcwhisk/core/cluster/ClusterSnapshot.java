package io.hpcwhisk.core.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable view of the harvest partition at one instant: its nodes (each with its state and, when
 * harvestable, its backfill window) and the active jobs of the cluster (running and pending, pilots included)
 * with their expected starts and scheduled nodes. Only nodes of the harvest partition are present.
 *
 * @param now the instant the snapshot describes; policies use it as their clock
 * @param target the partition (and QOS) pilots must go to
 * @param nodes the harvest partition's nodes, sorted by name
 * @param jobs the active jobs, sorted by id
 */
public record ClusterSnapshot(Instant now, HarvestTarget target, List<Node> nodes, List<Job> jobs) {

  public ClusterSnapshot {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(target, "target");
    // lists made by IncrementalSnapshotBuilder are sorted, unique and have windows starting at now already
    if (!(nodes instanceof PrevalidatedList<Node> && jobs instanceof PrevalidatedList<Job>)) {
      nodes = nodes.stream().sorted(Comparator.comparing(Node::name)).toList();
      jobs = jobs.stream().sorted(Comparator.comparing(Job::id)).toList();
      checkNodes(now, nodes);
    }
  }

  private static void checkNodes(Instant now, List<Node> nodes) {
    Map<String, Node> seen = new LinkedHashMap<>();
    for (Node node : nodes) {
      if (seen.put(node.name(), node) != null) {
        throw new IllegalArgumentException("node " + node.name() + " appears twice in the snapshot");
      }
      node.window().ifPresent(w -> {
        if (!w.start().equals(now)) {
          throw new IllegalArgumentException("window of node " + node.name() + " starts at " + w.start()
              + ", not at the snapshot time " + now);
        }
      });
    }
  }

  /** The node with this name, when it is in the harvest partition. */
  public Optional<Node> node(String name) {
    // nodes are sorted by name and unique: binary search
    int lo = 0;
    int hi = nodes.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = nodes.get(mid).name().compareTo(name);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return Optional.of(nodes.get(mid));
      }
    }
    return Optional.empty();
  }

  /** Nodes a pilot could start on now (idle or planned), sorted by name. */
  public List<Node> harvestableNodes() {
    if (nodes instanceof PrevalidatedList.Nodes prepared) {
      return prepared.harvestable; // picked out by IncrementalSnapshotBuilder
    }
    List<Node> out = new ArrayList<>();
    for (Node node : nodes) {
      if (node.state().harvestable()) {
        out.add(node);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The positions in {@link #nodes()} (ascending) whose node changed state since {@code earlier}, when that is known:
   * both snapshots come from one {@link IncrementalSnapshotBuilder}, {@code earlier} being the build just before
   * this one (the node list is then the same names in the same order). Empty otherwise: compare the nodes.
   */
  public Optional<int[]> stateChangesSince(ClusterSnapshot earlier) {
    if (earlier != null && nodes instanceof PrevalidatedList.Nodes now
        && earlier.nodes instanceof PrevalidatedList.Nodes before && now.builder == before.builder
        && now.build == before.build + 1) {
      return Optional.of(now.changedSincePrevious.clone());
    }
    return Optional.empty();
  }

  /** Nodes that run nothing, reserved ones included. */
  public long freeNodeCount() {
    return nodes.stream().filter(n -> n.state().free()).count();
  }

  /** Harvestable nodes whose window ends at a planned job's start. */
  public long boundedWindowCount() {
    return nodes.stream().filter(n -> n.window().map(Window::bounded).orElse(false)).count();
  }
}
