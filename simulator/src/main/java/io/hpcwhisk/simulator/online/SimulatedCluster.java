package io.hpcwhisk.simulator.online;

import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.simulator.replay.ReplayMode.Placement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The simulated harvest partition of the online replay: executes a policy's intents as Slurm would
 * (the order of one sample is on {@link #advanceTo}) and accounts for every pilot-second; its
 * optimistic assumptions are stated in docs/simulator-guide.md, "What the online numbers assume".
 */
final class SimulatedCluster {

  private static final Comparator<SimulatedPilot> PRIORITY =
      Comparator.comparingInt((SimulatedPilot p) -> p.shape.nice()).thenComparing(p -> p.id);

  private final double warmupSeconds;
  private final Placement placement;
  private final RandomGenerator random;
  private final TreeSet<SimulatedPilot> pending = new TreeSet<>(PRIORITY);
  private final Map<JobId, SimulatedPilot> pendingById = new HashMap<>();
  private final Map<Integer, SimulatedPilot> runningByNode = new HashMap<>();
  private final Map<JobId, SimulatedPilot> runningById = new HashMap<>();
  private final PriorityQueue<SimulatedPilot> byLimitEnd =
      new PriorityQueue<>(
          Comparator.comparingDouble(SimulatedPilot::limitEnd).thenComparing(p -> p.id));
  private final NodeNaming naming;
  private BitSet available = new BitSet();
  private long nextJobId = 1;
  private final PilotAccounting accounting = new PilotAccounting();

  SimulatedCluster(
      double warmupSeconds, Placement placement, RandomGenerator random, NodeNaming naming) {
    this.warmupSeconds = warmupSeconds;
    this.placement = placement;
    this.random = random;
    this.naming = naming;
  }

  /** Queues a pilot of {@code shape} submitted at {@code now}; returns its job id. */
  JobId submit(PilotShape shape, double now) {
    SimulatedPilot pilot = new SimulatedPilot(new JobId(nextJobId++), shape, now);
    pending.add(pilot);
    pendingById.put(pilot.id, pilot);
    accounting.submitted();
    return pilot.id;
  }

  /**
   * Cancels a pending or running pilot at {@code now}.
   *
   * @return empty when done, or why the cancel could not be applied (unknown or already ended)
   */
  Optional<String> cancel(JobId id, double now) {
    SimulatedPilot waiting = pendingById.remove(id);
    if (waiting != null) {
      pending.remove(waiting);
      accounting.pendingCancelled();
      return Optional.empty();
    }
    SimulatedPilot running = runningById.get(id);
    if (running != null) {
      end(running, now, SimulatedPilot.End.CANCELLED);
      return Optional.empty();
    }
    return Optional.of("pilot " + id + " is neither pending nor running");
  }

  /**
   * Ends the pilots whose time limit is at or before {@code now}, refilling freed nodes before
   * {@code now}.
   *
   * <p>One sample: (1) this ends pilots whose time limit passed, in time order, and starts the best
   * pending pilot (lower {@code nice} first, then older job id) on the freed node at that instant,
   * as Slurm's scheduler does on a job's end; (2) {@link #reclaim} preempts every pilot whose node
   * is no longer available; (3) the policy's intents are applied ({@link #submit}, {@link
   * #cancel}); (4) {@link #schedule} starts pending pilots on free available nodes in priority
   * order, a targeted one only on its node, an untargeted one on the lowest free node id or a
   * seeded random one. A pilot is ready {@code warmupSeconds} after it starts; windows are
   * unbounded, so every pilot gets its full {@code --time}.
   */
  void advanceTo(double now) {
    while (!byLimitEnd.isEmpty() && byLimitEnd.peek().limitEnd() <= now) {
      SimulatedPilot pilot = byLimitEnd.peek();
      double at = pilot.limitEnd();
      int node = pilot.node;
      end(pilot, at, SimulatedPilot.End.TIMED_OUT);
      if (at < now) {
        startBestOn(node, at);
      }
    }
  }

  /**
   * The log's available nodes at {@code now}: preempts pilots on nodes that are no longer
   * available.
   */
  void reclaim(BitSet availableNow, double now) {
    List<SimulatedPilot> lost = new ArrayList<>();
    for (SimulatedPilot pilot : runningByNode.values()) {
      if (!availableNow.get(pilot.node)) {
        lost.add(pilot);
      }
    }
    lost.sort(Comparator.comparing(p -> p.id));
    for (SimulatedPilot pilot : lost) {
      end(pilot, now, SimulatedPilot.End.PREEMPTED);
    }
    available = (BitSet) availableNow.clone();
  }

  /** Starts pending pilots on free available nodes, best priority first. */
  void schedule(double now) {
    BitSet free = freeNodes();
    if (free.isEmpty() || pending.isEmpty()) {
      return;
    }
    List<SimulatedPilot> starting = new ArrayList<>();
    List<Integer> onNodes = new ArrayList<>();
    for (SimulatedPilot pilot : pending) {
      if (free.isEmpty()) {
        break;
      }
      int node;
      if (pilot.shape.targetNode().isPresent()) {
        node = naming.id(pilot.shape.targetNode().get());
        if (node < 0 || !free.get(node)) {
          continue;
        }
      } else {
        node = pick(free);
      }
      free.clear(node);
      starting.add(pilot);
      onNodes.add(node);
    }
    for (int i = 0; i < starting.size(); i++) {
      start(starting.get(i), onNodes.get(i), now);
    }
  }

  /** Ends every running pilot at the end of the replay. */
  void finish(double endTime) {
    advanceTo(endTime);
    for (SimulatedPilot pilot : new ArrayList<>(runningById.values())) {
      end(pilot, endTime, SimulatedPilot.End.REPLAY_END);
    }
  }

  Collection<SimulatedPilot> pendingPilots() {
    return pending;
  }

  Collection<SimulatedPilot> runningPilots() {
    return runningById.values();
  }

  /** Nodes holding a running pilot. */
  BitSet occupiedNodes() {
    BitSet occupied = new BitSet();
    runningByNode.keySet().forEach(occupied::set);
    return occupied;
  }

  int readyCount(double time) {
    int ready = 0;
    for (SimulatedPilot pilot : runningById.values()) {
      if (pilot.readyTime <= time) {
        ready++;
      }
    }
    return ready;
  }

  int runningCount() {
    return runningById.size();
  }

  int pendingCount() {
    return pending.size();
  }

  PilotAccounting accounting() {
    return accounting;
  }

  private BitSet freeNodes() {
    BitSet free = (BitSet) available.clone();
    runningByNode.keySet().forEach(free::clear);
    return free;
  }

  private int pick(BitSet free) {
    if (placement == Placement.LOWEST_ID) {
      return free.nextSetBit(0);
    }
    int skip = random.nextInt(free.cardinality());
    int node = free.nextSetBit(0);
    for (int i = 0; i < skip; i++) {
      node = free.nextSetBit(node + 1);
    }
    return node;
  }

  private void startBestOn(int node, double at) {
    if (!available.get(node) || runningByNode.containsKey(node)) {
      return;
    }
    for (SimulatedPilot pilot : pending) {
      if (pilot.shape.targetNode().map(t -> naming.id(t) == node).orElse(true)) {
        start(pilot, node, at);
        return;
      }
    }
  }

  private void start(SimulatedPilot pilot, int node, double at) {
    pending.remove(pilot);
    pendingById.remove(pilot.id);
    pilot.node = node;
    pilot.startTime = at;
    pilot.readyTime = at + warmupSeconds;
    runningByNode.put(node, pilot);
    runningById.put(pilot.id, pilot);
    byLimitEnd.add(pilot);
    accounting.started();
  }

  private void end(SimulatedPilot pilot, double at, SimulatedPilot.End why) {
    pilot.endTime = at;
    pilot.end = why;
    runningByNode.remove(pilot.node);
    runningById.remove(pilot.id);
    byLimitEnd.remove(pilot);
    accounting.ended(pilot);
  }
}
