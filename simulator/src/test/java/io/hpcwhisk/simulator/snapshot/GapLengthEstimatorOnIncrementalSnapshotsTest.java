package io.hpcwhisk.simulator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.GapDistribution;
import io.hpcwhisk.core.harvest.GapLengthEstimator;
import io.hpcwhisk.core.harvest.Pilot;
import io.hpcwhisk.core.harvest.PilotShape;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Core's gap estimator on this package's snapshots, which say which nodes changed state since the
 * last build.
 */
class GapLengthEstimatorOnIncrementalSnapshotsTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  static Duration min(long minutes) {
    return Duration.ofMinutes(minutes);
  }

  static PilotShape shape(Duration time) {
    return new PilotShape("whisk", Optional.empty(), time, Optional.empty(), 0, Optional.empty());
  }

  static Pilot running(long id, PilotShape shape, String node) {
    return Pilot.running(new JobId(id), shape, node, NOW.minusSeconds(30));
  }

  /**
   * With snapshots from an {@link IncrementalSnapshotBuilder}, the fleet variant visits only the
   * nodes that changed state or pilots: on random sequences (and when it misses a build, so that it
   * must compare all nodes) it gives the same figures as the set variant, which looks at every
   * node.
   */
  @Test
  void theFleetVariantOnIncrementalSnapshotsEqualsTheSetVariant() {
    NodeState[] states = {NodeState.IDLE, NodeState.PLANNED, NodeState.ALLOCATED, NodeState.DRAIN};
    for (int seed = 0; seed < 100; seed++) {
      Random random = new Random(seed);
      var byFleet = new GapLengthEstimator(32);
      var bySet = new GapLengthEstimator(32);
      int nodes = 3 + random.nextInt(8);
      List<NodeInfo> infos = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        infos.add(new NodeInfo("n" + i, NodeState.IDLE, Set.of("whisk")));
      }
      var builder =
          new IncrementalSnapshotBuilder(HarvestTarget.partition("whisk"), "pilot-", infos);
      Map<Long, Pilot> pilots = new TreeMap<>();
      Instant t = NOW;
      for (int step = 0; step < 80; step++) {
        t = t.plusSeconds(15);
        for (int k = random.nextInt(3); k > 0; k--) {
          builder.node(
              new NodeInfo(
                  "n" + random.nextInt(nodes),
                  states[random.nextInt(states.length)],
                  Set.of("whisk")));
        }
        changeAPilot(random, pilots, nodes);
        var snapshot = builder.build(t);
        if (random.nextInt(10) == 0) {
          continue; // a build the estimators never see
        }
        observeBothAndCompare(
            byFleet, bySet, snapshot, pilots.values(), "seed " + seed + " step " + step);
      }
    }
  }

  /**
   * One random change to the running pilots: one ends, one starts (or moves) on one of {@code
   * nodes} nodes or just off the list, one is replaced by an equal new object, or nothing.
   */
  private static void changeAPilot(Random random, Map<Long, Pilot> pilots, int nodes) {
    int change = random.nextInt(4);
    long id = 1 + random.nextInt(12);
    if (change == 0) {
      pilots.remove(id);
    } else if (change == 1) {
      pilots.put(
          id, running(id, shape(min(10)), "n" + random.nextInt(nodes + 1))); // may be off the list
    } else if (change == 2 && pilots.containsKey(id)) {
      pilots.put(
          id, running(id, shape(min(10)), pilots.get(id).node().orElseThrow())); // same, new object
    }
  }

  /**
   * Gives one estimator the fleet and the other the running pilots' nodes, and checks that they
   * agree on open gaps, bursts, sizes, events and the whole distribution.
   */
  private static void observeBothAndCompare(
      GapLengthEstimator byFleet,
      GapLengthEstimator bySet,
      ClusterSnapshot snapshot,
      Collection<Pilot> pilots,
      String where) {
    Fleet fleet = new Fleet(new ArrayList<>(pilots));
    Set<String> pilotNodes = new HashSet<>();
    fleet.running().forEach(p -> p.node().ifPresent(pilotNodes::add));
    byFleet.observe(snapshot, fleet);
    bySet.observe(snapshot, pilotNodes);
    assertThat(byFleet.openGaps()).as(where).isEqualTo(bySet.openGaps());
    assertThat(byFleet.largestBurst()).isEqualTo(bySet.largestBurst());
    assertThat(byFleet.size()).isEqualTo(bySet.size());
    assertThat(byFleet.events()).isEqualTo(bySet.events());
    GapDistribution a = byFleet.distribution();
    GapDistribution b = bySet.distribution();
    for (int sec = 0; sec <= 1200; sec += 15) {
      assertThat(a.survival(sec)).isEqualTo(b.survival(sec));
    }
  }
}
