package io.hpcwhisk.simulator.online;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.Window;
import io.hpcwhisk.core.harvest.Fleet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * What a controller could see at one sample, as the production types: the {@link ClusterSnapshot}
 * of the harvest partition and the {@link Fleet} of our pilots ({@link Fleet#fromJobs}, as live);
 * how nodes are shown is stated in docs/simulator-guide.md, "What the online numbers assume", and
 * {@link Scope#ACTIVE_NODES} gives the same decisions as {@link Scope#ALL_NODES} (O(nodes) per
 * sample), which {@code OnlineReplayTest} checks.
 */
final class ControllerView {

  /** Which nodes go into the snapshot. */
  enum Scope {
    ACTIVE_NODES,
    ALL_NODES
  }

  static final String PILOT_PREFIX = "hpcwhisk-pilot-";

  private final HarvestTarget target;
  private final NodeNaming naming;
  private final Scope scope;

  ControllerView(HarvestTarget target, NodeNaming naming, Scope scope) {
    this.target = target;
    this.naming = naming;
    this.scope = scope;
  }

  HarvestTarget target() {
    return target;
  }

  /**
   * The snapshot at {@code now}.
   *
   * @param available the log's available nodes now
   * @param previous the log's available nodes at the previous sample
   * @param nodesSeen one past the highest node id seen so far (for {@link Scope#ALL_NODES})
   */
  ClusterSnapshot snapshot(
      Instant now, BitSet available, BitSet previous, int nodesSeen, SimulatedCluster cluster) {
    BitSet occupied = cluster.occupiedNodes();
    BitSet listed;
    if (scope == Scope.ALL_NODES) {
      listed = new BitSet();
      listed.set(0, Math.max(nodesSeen, Math.max(available.length(), previous.length())));
    } else {
      listed = (BitSet) available.clone();
      listed.or(previous);
    }
    listed.or(occupied);
    List<Node> nodes = new ArrayList<>(listed.cardinality());
    for (int id = listed.nextSetBit(0); id >= 0; id = listed.nextSetBit(id + 1)) {
      String name = naming.name(id);
      if (available.get(id) && !occupied.get(id)) {
        nodes.add(Node.free(name, NodeState.IDLE, Window.unbounded(now)));
      } else {
        nodes.add(Node.busy(name, NodeState.ALLOCATED));
      }
    }
    return new ClusterSnapshot(now, target, nodes, jobs(cluster));
  }

  /** Our pilots as the live controller derives them from the snapshot's jobs. */
  Fleet fleet(ClusterSnapshot snapshot) {
    return Fleet.fromJobs(snapshot.jobs(), PILOT_PREFIX);
  }

  private List<Job> jobs(SimulatedCluster cluster) {
    List<Job> jobs = new ArrayList<>(cluster.pendingCount() + cluster.runningCount());
    for (SimulatedPilot pilot : cluster.pendingPilots()) {
      if (pilot.job == null) {
        pilot.job = job(pilot, JobState.PENDING, List.of(), Optional.empty(), Optional.empty());
      }
      jobs.add(pilot.job);
    }
    for (SimulatedPilot pilot : cluster.runningPilots()) {
      if (pilot.job == null || pilot.job.state() != JobState.RUNNING) {
        pilot.job =
            job(
                pilot,
                JobState.RUNNING,
                List.of(naming.name(pilot.node)),
                Optional.of(instant(pilot.startTime)),
                Optional.of(instant(pilot.limitEnd())));
      }
      jobs.add(pilot.job);
    }
    return jobs;
  }

  private Job job(
      SimulatedPilot pilot,
      JobState state,
      List<String> nodes,
      Optional<Instant> start,
      Optional<Instant> end) {
    return new Job(
        pilot.id,
        PILOT_PREFIX + pilot.id,
        pilot.shape.partition(),
        pilot.shape.qos(),
        state,
        nodes,
        pilot.shape.targetNode().map(List::of).orElse(List.of()),
        Optional.of(instant(pilot.submitTime)),
        start,
        end,
        Optional.of(pilot.shape.time()),
        pilot.shape.timeMin(),
        pilot.shape.nice());
  }

  static Instant instant(double epochSeconds) {
    return Instant.ofEpochMilli(Math.round(epochSeconds * 1000));
  }

  static Duration seconds(double seconds) {
    return Duration.ofMillis(Math.round(seconds * 1000));
  }
}
