package io.hpcwhisk.simulator.snapshot;

import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeChanges;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.core.cluster.Window;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the same {@link ClusterSnapshot} as core's {@link SnapshotBuilder} from a cluster state
 * kept up to date change by change (the caller must report every change; the node set is fixed at
 * construction), and says which nodes changed since the previous build ({@link NodeChanges}); the
 * cost is stated on {@link #build}.
 */
public final class IncrementalSnapshotBuilder {

  private final HarvestTarget target;
  private final String pilotNamePrefix;
  private final Map<String, NodeInfo> allNodes = new LinkedHashMap<>();
  private final Map<String, Integer> index = new HashMap<>();
  private final String[] names;
  private final NodeState[] states;
  private final Node[] busy;
  private final BitSet harvestable = new BitSet();

  /** Positions whose state changed since the last build, and the last build's node list. */
  private final BitSet changed = new BitSet();

  private List<Node> lastBuilt;
  private final TreeMap<Instant, Integer>[] plannedStarts;
  private final Map<JobId, Job> jobs = new HashMap<>();
  private Job[] active = new Job[16];
  private int activeCount;

  /**
   * @param target the harvest partition (and QOS)
   * @param pilotNamePrefix the job-name prefix of pilot jobs, which never close a window
   * @param nodes every node of the cluster with its state now (nodes outside the partition are
   *     ignored)
   */
  @SuppressWarnings("unchecked")
  public IncrementalSnapshotBuilder(
      HarvestTarget target, String pilotNamePrefix, List<NodeInfo> nodes) {
    this.target = Objects.requireNonNull(target, "target");
    this.pilotNamePrefix = Objects.requireNonNull(pilotNamePrefix, "pilotNamePrefix");
    if (pilotNamePrefix.isBlank()) {
      throw new IllegalArgumentException("pilot name prefix is blank");
    }
    List<String> inPartition = new ArrayList<>();
    for (NodeInfo info : nodes) {
      if (allNodes.put(info.name(), info) != null) {
        throw new IllegalArgumentException("node " + info.name() + " appears twice");
      }
      if (info.partitions().contains(target.partition())) {
        inPartition.add(info.name());
      }
    }
    names = inPartition.stream().sorted().toArray(String[]::new);
    states = new NodeState[names.length];
    busy = new Node[names.length];
    plannedStarts = new TreeMap[names.length];
    for (int i = 0; i < names.length; i++) {
      index.put(names[i], i);
      setState(i, allNodes.get(names[i]).state());
    }
  }

  /** A node's new state (or partitions); the node must have been given at construction. */
  public void node(NodeInfo info) {
    NodeInfo before = allNodes.get(info.name());
    if (before == null) {
      throw new IllegalArgumentException("unknown node " + info.name());
    }
    if (!before.partitions().equals(info.partitions())) {
      throw new IllegalArgumentException(
          "node " + info.name() + " changed partitions; the node set is fixed");
    }
    allNodes.put(info.name(), info);
    Integer i = index.get(info.name());
    if (i != null && states[i] != info.state()) {
      setState(i, info.state());
    }
  }

  private void setState(int i, NodeState state) {
    states[i] = state;
    changed.set(i);
    if (state.harvestable()) {
      harvestable.set(i);
      busy[i] = null;
    } else {
      harvestable.clear(i);
      busy[i] = Node.busy(names[i], state);
    }
  }

  /** Adds a job or replaces the job with its id. */
  public void putJob(Job job) {
    Job before = jobs.put(job.id(), job);
    if (before == job) {
      return;
    }
    if (before != null && before.state().active() && job.state().active()) {
      // same id, still active (a pilot that started, a job with a new plan): replace it in place
      unindexWindows(before);
      indexWindows(job);
      active[find(job.id())] = job;
      return;
    }
    if (before != null) {
      unindex(before);
    }
    index(job);
  }

  /** Forgets a job (finished and no longer reported). */
  public void removeJob(JobId id) {
    Job before = jobs.remove(id);
    if (before != null) {
      unindex(before);
    }
  }

  private boolean closesWindows(Job job) {
    return job.state() == JobState.PENDING
        && !job.name().startsWith(pilotNamePrefix)
        && job.startTime().isPresent();
  }

  private void index(Job job) {
    indexWindows(job);
    if (job.state().active()) {
      int at = find(job.id());
      if (activeCount == active.length) {
        active = Arrays.copyOf(active, active.length * 2);
      }
      System.arraycopy(active, at, active, at + 1, activeCount - at);
      active[at] = job;
      activeCount++;
    }
  }

  private void unindex(Job job) {
    unindexWindows(job);
    if (job.state().active()) {
      int at = find(job.id());
      System.arraycopy(active, at + 1, active, at, activeCount - at - 1);
      active[--activeCount] = null;
    }
  }

  private void indexWindows(Job job) {
    if (closesWindows(job)) {
      Instant start = job.startTime().get();
      for (String node : job.nodes()) {
        Integer i = index.get(node);
        if (i != null) {
          if (plannedStarts[i] == null) {
            plannedStarts[i] = new TreeMap<>();
          }
          plannedStarts[i].merge(start, 1, Integer::sum);
        }
      }
    }
  }

  private void unindexWindows(Job job) {
    if (closesWindows(job)) {
      Instant start = job.startTime().get();
      for (String node : job.nodes()) {
        Integer i = index.get(node);
        if (i != null) {
          plannedStarts[i].merge(start, -1, (a, b) -> a + b == 0 ? null : a + b);
        }
      }
    }
  }

  /** The position of the active job with this id, or where it would be inserted. */
  private int find(JobId id) {
    int lo = 0;
    int hi = activeCount - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = active[mid].id().compareTo(id);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return lo;
  }

  /**
   * The snapshot at {@code now}; equal to {@code new SnapshotBuilder(…).build(observation(now))}.
   *
   * <p>Nodes are held in name order with their current state, a busy node's {@link Node} made once
   * per state change and the harvestable ones kept in a bit set; per node the expected starts of
   * the pending non-pilot jobs scheduled on it are a counted sorted map (its window end is the
   * first key); active jobs are an array sorted by id. A build copies the busy nodes' array, makes
   * a {@link Node} for each harvestable node only and copies the active jobs' array: O(nodes)
   * copying plus O(harvestable nodes) allocation, no sorting, hashing or scan of the jobs' node
   * lists; a change costs O(log jobs + its nodes). Jobs are keyed by id (an observation with two
   * jobs of one id has no incremental equivalent).
   */
  public ClusterSnapshot build(Instant now) {
    Object[] nodes = busy.clone();
    Object[] free = new Object[harvestable.cardinality()];
    int k = 0;
    for (int i = harvestable.nextSetBit(0); i >= 0; i = harvestable.nextSetBit(i + 1)) {
      TreeMap<Instant, Integer> starts = plannedStarts[i];
      Window window =
          starts == null || starts.isEmpty()
              ? Window.unbounded(now)
              : Window.until(now, starts.firstKey());
      nodes[i] = Node.free(names[i], states[i], window);
      free[k++] = nodes[i];
    }
    List<Node> nodeList = new PrevalidatedList<>(nodes, nodes.length);
    Optional<NodeChanges> changes =
        lastBuilt == null
            ? Optional.empty()
            : Optional.of(new NodeChanges(lastBuilt, changed.stream().toArray()));
    changed.clear();
    lastBuilt = nodeList;
    return ClusterSnapshot.ordered(
        now,
        target,
        nodeList,
        new PrevalidatedList<>(free, k),
        new PrevalidatedList<>(Arrays.copyOf(active, activeCount), activeCount),
        changes);
  }

  /**
   * The plain observation of the current state, for {@link SnapshotBuilder} (tests compare both
   * paths).
   */
  public ClusterObservation observation(Instant now) {
    List<Job> all = new ArrayList<>(jobs.values());
    all.sort(Comparator.comparing(Job::id));
    return new ClusterObservation(now, List.copyOf(allNodes.values()), all);
  }
}
