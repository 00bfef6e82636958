package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Small builders for snapshots and fleets in policy tests. */
final class Fixtures {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final HarvestTarget WHISK = HarvestTarget.partition("whisk");

  private Fixtures() {}

  static ClusterSnapshot snapshot(Instant now, Node... nodes) {
    return new ClusterSnapshot(now, WHISK, List.of(nodes), List.of());
  }

  static ClusterSnapshot snapshot(Node... nodes) {
    return snapshot(NOW, nodes);
  }

  static Node idle(String name) {
    return Node.free(name, NodeState.IDLE, Window.unbounded(NOW));
  }

  static Node idle(String name, Instant now) {
    return Node.free(name, NodeState.IDLE, Window.unbounded(now));
  }

  static Node planned(String name, Duration window) {
    return Node.free(name, NodeState.PLANNED, Window.until(NOW, NOW.plus(window)));
  }

  static Node busy(String name) {
    return Node.busy(name, NodeState.ALLOCATED);
  }

  static Node busy(String name, NodeState state) {
    return Node.busy(name, state);
  }

  static PilotShape shape(Duration time) {
    return new PilotShape("whisk", Optional.empty(), time, Optional.empty(), 0, Optional.empty());
  }

  static PilotShape targeted(String node, Duration time, Duration timeMin) {
    return new PilotShape(
        "whisk", Optional.empty(), time, Optional.of(timeMin), 0, Optional.of(node));
  }

  static Pilot pending(long id, PilotShape shape) {
    return Pilot.pending(new JobId(id), shape, NOW.minusSeconds(60));
  }

  static Pilot running(long id, PilotShape shape, String node) {
    return Pilot.running(new JobId(id), shape, node, NOW.minusSeconds(30));
  }

  static Fleet fleet(Pilot... pilots) {
    return new Fleet(List.of(pilots));
  }

  static Duration min(long minutes) {
    return Duration.ofMinutes(minutes);
  }
}
