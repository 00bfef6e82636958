package io.hpcwhisk.core.harvest;

import static io.hpcwhisk.core.harvest.Fixtures.NOW;
import static io.hpcwhisk.core.harvest.Fixtures.busy;
import static io.hpcwhisk.core.harvest.Fixtures.idle;
import static io.hpcwhisk.core.harvest.Fixtures.min;
import static io.hpcwhisk.core.harvest.Fixtures.running;
import static io.hpcwhisk.core.harvest.Fixtures.shape;
import static io.hpcwhisk.core.harvest.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeChanges;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class GapLengthEstimatorTest {

  @Test
  void theWorkedExampleOfTheClassComment() {
    var gaps = new GapLengthEstimator(16);
    gaps.observe(snapshot(NOW, idle("n1", NOW), idle("n2", NOW)), Set.of());
    gaps.observe(
        snapshot(NOW.plusSeconds(15), busy("n1"), idle("n2", NOW.plusSeconds(15))), Set.of());
    gaps.observe(
        snapshot(
            NOW.plusSeconds(30), idle("n1", NOW.plusSeconds(30)), idle("n2", NOW.plusSeconds(30))),
        Set.of());
    gaps.observe(
        snapshot(NOW.plusSeconds(45), busy("n1"), idle("n2", NOW.plusSeconds(45))), Set.of());

    GapDistribution d = gaps.distribution();
    assertThat(d.events()).isEqualTo(1);
    assertThat(d.censored()).as("n1's first gap (start unseen) and n2's open one").isEqualTo(2);
    assertThat(d.survival(14)).isEqualTo(1.0);
    assertThat(d.survival(15)).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(gaps.openGaps()).isEqualTo(1);
    assertThat(gaps.largestBurst())
        .as("n1 opened at t=30; the first snapshot does not count")
        .isEqualTo(1);
  }

  @Test
  void withoutCensoringItIsTheNearestRankQuantile() {
    var gaps = new GapLengthEstimator(16);
    for (int s : new int[] {50, 10, 40, 20, 30}) {
      gaps.record(Duration.ofSeconds(s));
    }
    assertThat(gaps.quantile(0.0)).contains(Duration.ofSeconds(10));
    assertThat(gaps.quantile(0.5)).contains(Duration.ofSeconds(30));
    assertThat(gaps.quantile(0.9)).contains(Duration.ofSeconds(50));
    assertThat(gaps.quantile(1.0)).contains(Duration.ofSeconds(50));
    assertThat(gaps.distribution().integral(0, 100)).as("E[G] = 30 s").isCloseTo(30, within(1e-9));
  }

  @Test
  void censoredGapsKeepTheTailOpen() {
    var gaps = new GapLengthEstimator(16);
    gaps.record(Duration.ofSeconds(10));
    gaps.recordCensored(Duration.ofSeconds(5));
    gaps.recordCensored(Duration.ofSeconds(20));
    // At 10 s: 2 at risk (the 5 s one left before), 1 ends: S = 1/2, then flat (the 20 s one never
    // ended).
    assertThat(gaps.distribution().survival(10)).isEqualTo(0.5);
    assertThat(gaps.distribution().survival(1e6)).isEqualTo(0.5);
    assertThat(gaps.quantile(0.5)).contains(Duration.ofSeconds(10));
    assertThat(gaps.quantile(0.9)).as("half the gaps may be endless").isEqualTo(Optional.empty());
  }

  @Test
  void drainedNodesAndPilotNodesAreNotBatchEnds() {
    var gaps = new GapLengthEstimator(16);
    gaps.observe(snapshot(NOW, busy("n1"), busy("n2")), Set.of());
    gaps.observe(
        snapshot(
            NOW.plusSeconds(10), idle("n1", NOW.plusSeconds(10)), idle("n2", NOW.plusSeconds(10))),
        Set.of());
    gaps.observe(
        snapshot(NOW.plusSeconds(20), busy("n1", NodeState.ALLOCATED), busy("n2", NodeState.DRAIN)),
        Set.of("n1"));
    gaps.observe(
        snapshot(NOW.plusSeconds(30), busy("n1", NodeState.ALLOCATED), busy("n2", NodeState.DRAIN)),
        Set.of());

    assertThat(gaps.events()).as("n1 ended when the pilot left it to a batch job").isEqualTo(1);
    assertThat(gaps.distribution().censored()).as("n2 drained").isEqualTo(1);
    assertThat(gaps.quantile(0.1)).contains(Duration.ofSeconds(20));
  }

  @Property(tries = 200)
  void historyBoundsTheFinishedGapsAndSurvivalIsMonotone(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 5000) Integer> lengths,
      @ForAll @IntRange(min = 1, max = 20) int history) {
    var gaps = new GapLengthEstimator(history);
    for (int i = 0; i < lengths.size(); i++) {
      if (i % 3 == 0) {
        gaps.recordCensored(Duration.ofSeconds(lengths.get(i)));
      } else {
        gaps.record(Duration.ofSeconds(lengths.get(i)));
      }
    }
    assertThat(gaps.size()).isLessThanOrEqualTo(history);
    GapDistribution d = gaps.distribution();
    assertThat(d.events() + d.censored()).isEqualTo(gaps.size());
    double previous = 1;
    for (int t = 0; t <= 5001; t += 37) {
      double s = d.survival(t);
      assertThat(s).isBetween(0.0, previous);
      previous = s;
    }
    assertThat(d.integral(0, 5000)).isBetween(0.0, 5000.0);
  }

  /**
   * With snapshots that say which nodes changed state since the previous one ({@code
   * ClusterSnapshot.ordered} with {@code NodeChanges}, as the simulator's builder makes them), the
   * fleet variant visits only the nodes that changed state or pilots: on random sequences (and when
   * it misses a snapshot, so that the changes are not since the one it saw and it must compare all
   * nodes) it gives the same figures as the set variant, which looks at every node.
   */
  @Test
  void theFleetVariantGivenTheChangesEqualsTheSetVariant() {
    NodeState[] states = {NodeState.IDLE, NodeState.PLANNED, NodeState.ALLOCATED, NodeState.DRAIN};
    for (int seed = 0; seed < 100; seed++) {
      Random random = new Random(seed);
      var byFleet = new GapLengthEstimator(32);
      var bySet = new GapLengthEstimator(32);
      int nodes = 3 + random.nextInt(8);
      NodeState[] state = new NodeState[nodes];
      Arrays.fill(state, NodeState.IDLE);
      Node[] busyNode = new Node[nodes];
      List<Node> previous = null;
      Map<Long, Pilot> pilots = new TreeMap<>();
      Instant t = NOW;
      for (int step = 0; step < 80; step++) {
        t = t.plusSeconds(15);
        BitSet changed = new BitSet();
        for (int k = random.nextInt(3); k > 0; k--) {
          int i = random.nextInt(nodes);
          NodeState next = states[random.nextInt(states.length)];
          if (next != state[i]) {
            state[i] = next;
            busyNode[i] =
                next.harvestable() ? null : busy("n" + i, next); // kept while the state holds
            changed.set(i);
          }
        }
        List<Node> list = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
          list.add(
              busyNode[i] != null
                  ? busyNode[i]
                  : Node.free("n" + i, state[i], Window.unbounded(t)));
        }
        list = List.copyOf(list);
        var harvestable = list.stream().filter(n -> n.state().harvestable()).toList();
        var changes =
            previous == null
                ? Optional.<NodeChanges>empty()
                : Optional.of(new NodeChanges(previous, changed.stream().toArray()));
        var snapshot =
            ClusterSnapshot.ordered(t, Fixtures.WHISK, list, harvestable, List.of(), changes);
        previous = list;
        changeAPilot(random, pilots, nodes);
        if (random.nextInt(10) == 0) {
          continue; // a snapshot the estimators never see
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
   * The fleet variant keeps pilot counts per node between calls and updates them from the fleet's
   * changes: on random sequences (pilots starting, moving, ending; nodes changing state; the node
   * list changing once) it must give the same distribution, open gaps and bursts as the variant
   * given the running pilots' nodes every time.
   */
  @Test
  void theFleetVariantEqualsTheSetVariantOnRandomSequences() {
    for (int seed = 0; seed < 100; seed++) {
      Random random = new Random(seed);
      var byFleet = new GapLengthEstimator(32);
      var bySet = new GapLengthEstimator(32);
      int nodes = 3 + random.nextInt(8);
      Map<Long, Pilot> pilots = new TreeMap<>();
      Map<String, Node> busyNodes = new HashMap<>();
      Instant t = NOW;
      for (int step = 0; step < 80; step++) {
        t = t.plusSeconds(15);
        int n = step == 40 ? nodes + 1 : nodes; // the node list changes once
        List<Node> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          // a busy node keeps its Node object while its state holds, as
          // IncrementalSnapshotBuilder's do
          int kind = random.nextInt(4);
          Node node =
              kind == 0
                  ? idle("n" + i, t)
                  : busyNodes.merge(
                      "n" + i,
                      kind == 1 ? busy("n" + i, NodeState.DRAIN) : busy("n" + i),
                      (before, after) -> before.state() == after.state() ? before : after);
          if (kind == 0) {
            busyNodes.remove("n" + i);
          }
          list.add(node);
        }
        changeAPilot(random, pilots, n);
        var snapshot = snapshot(t, list.toArray(Node[]::new));
        observeBothAndCompare(
            byFleet, bySet, snapshot, pilots.values(), "seed " + seed + " step " + step);
      }
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
