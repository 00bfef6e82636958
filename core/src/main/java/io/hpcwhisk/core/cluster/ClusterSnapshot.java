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
 * An immutable view of the harvest partition at one instant: its nodes (each with its state and,
 * when harvestable, its backfill window) and the active jobs of the cluster (running and pending,
 * pilots included) with their expected starts and scheduled nodes. Only nodes of the harvest
 * partition are present. A value: equal when {@code now}, {@code target}, {@code nodes} and {@code
 * jobs} are equal.
 */
public final class ClusterSnapshot {

  private final Instant now;
  private final HarvestTarget target;
  private final List<Node> nodes;
  private final List<Job> jobs;

  /** The harvestable nodes when the maker gave them, else null (picked out on every call). */
  private final List<Node> harvestable;

  private final Optional<NodeChanges> stateChanges;

  /**
   * @param now the instant the snapshot describes; policies use it as their clock
   * @param target the partition (and QOS) pilots must go to
   * @param nodes the harvest partition's nodes, in any order (kept sorted by name); a name twice,
   *     or a window that does not start at {@code now}, is refused
   * @param jobs the active jobs, in any order (kept sorted by id)
   */
  public ClusterSnapshot(Instant now, HarvestTarget target, List<Node> nodes, List<Job> jobs) {
    this.now = Objects.requireNonNull(now, "now");
    this.target = Objects.requireNonNull(target, "target");
    this.nodes = nodes.stream().sorted(Comparator.comparing(Node::name)).toList();
    this.jobs = jobs.stream().sorted(Comparator.comparing(Job::id)).toList();
    checkNodes(now, this.nodes);
    this.harvestable = null;
    this.stateChanges = Optional.empty();
  }

  private ClusterSnapshot(
      Instant now,
      HarvestTarget target,
      List<Node> nodes,
      List<Node> harvestable,
      List<Job> jobs,
      Optional<NodeChanges> stateChanges) {
    this.now = Objects.requireNonNull(now, "now");
    this.target = Objects.requireNonNull(target, "target");
    this.nodes = Objects.requireNonNull(nodes, "nodes");
    this.harvestable = Objects.requireNonNull(harvestable, "harvestable");
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.stateChanges = Objects.requireNonNull(stateChanges, "stateChanges");
    assert ordered(now, nodes, harvestable, jobs)
        : "ClusterSnapshot.ordered given lists out of order";
  }

  /**
   * A snapshot from lists its maker already keeps in order, for a maker that builds one every pass
   * from a state it updates change by change (the simulator's): taken as they are, without sorting
   * or checking them again (they are checked when assertions are enabled, as in the tests). The
   * lists must not change afterwards.
   *
   * @param nodes the nodes sorted by name, no name twice, every window starting at {@code now}
   * @param harvestable the harvestable ones of {@code nodes}, in the same order
   * @param jobs the active jobs sorted by id
   * @param stateChanges which nodes changed state since the maker's previous snapshot, when it
   *     knows
   */
  public static ClusterSnapshot ordered(
      Instant now,
      HarvestTarget target,
      List<Node> nodes,
      List<Node> harvestable,
      List<Job> jobs,
      Optional<NodeChanges> stateChanges) {
    return new ClusterSnapshot(now, target, nodes, harvestable, jobs, stateChanges);
  }

  private static boolean ordered(
      Instant now, List<Node> nodes, List<Node> harvestable, List<Job> jobs) {
    checkNodes(now, nodes);
    for (int i = 1; i < nodes.size(); i++) {
      if (nodes.get(i - 1).name().compareTo(nodes.get(i).name()) >= 0) {
        return false;
      }
    }
    for (int i = 1; i < jobs.size(); i++) {
      if (jobs.get(i - 1).id().compareTo(jobs.get(i).id()) > 0) {
        return false;
      }
    }
    return harvestable.equals(nodes.stream().filter(n -> n.state().harvestable()).toList());
  }

  private static void checkNodes(Instant now, List<Node> nodes) {
    Map<String, Node> seen = new LinkedHashMap<>();
    for (Node node : nodes) {
      if (seen.put(node.name(), node) != null) {
        throw new IllegalArgumentException(
            "node " + node.name() + " appears twice in the snapshot");
      }
      node.window()
          .ifPresent(
              w -> {
                if (!w.start().equals(now)) {
                  throw new IllegalArgumentException(
                      "window of node "
                          + node.name()
                          + " starts at "
                          + w.start()
                          + ", not at the snapshot time "
                          + now);
                }
              });
    }
  }

  /** The instant the snapshot describes; policies use it as their clock. */
  public Instant now() {
    return now;
  }

  /** The partition (and QOS) pilots must go to. */
  public HarvestTarget target() {
    return target;
  }

  /** The harvest partition's nodes, sorted by name. */
  public List<Node> nodes() {
    return nodes;
  }

  /** The active jobs, sorted by id. */
  public List<Job> jobs() {
    return jobs;
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
    if (harvestable != null) {
      return harvestable;
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
   * Which nodes changed state since the maker's previous snapshot, when the maker said so ({@link
   * #ordered}); empty otherwise: compare the nodes.
   */
  public Optional<NodeChanges> stateChanges() {
    return stateChanges;
  }

  /** Nodes that run nothing, reserved ones included. */
  public long freeNodeCount() {
    return nodes.stream().filter(n -> n.state().free()).count();
  }

  /** Harvestable nodes whose window ends at a planned job's start. */
  public long boundedWindowCount() {
    return nodes.stream().filter(n -> n.window().map(Window::bounded).orElse(false)).count();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClusterSnapshot s
        && s.now.equals(now)
        && s.target.equals(target)
        && s.nodes.equals(nodes)
        && s.jobs.equals(jobs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(now, target, nodes, jobs);
  }

  @Override
  public String toString() {
    return "ClusterSnapshot[now="
        + now
        + ", target="
        + target
        + ", nodes="
        + nodes
        + ", jobs="
        + jobs
        + "]";
  }
}
