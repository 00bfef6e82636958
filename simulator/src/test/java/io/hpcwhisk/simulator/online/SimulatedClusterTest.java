package io.hpcwhisk.simulator.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.simulator.replay.ReplayMode.Placement;
import java.time.Duration;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimulatedClusterTest {

  private final NodeNaming naming = new NodeNaming();

  private SimulatedCluster cluster(double warmup, Placement placement) {
    return new SimulatedCluster(warmup, placement, new SplittableRandom(7), naming);
  }

  private static PilotShape shape(int minutes, int nice) {
    return new PilotShape(
        "lowprio",
        Optional.empty(),
        Duration.ofMinutes(minutes),
        Optional.empty(),
        nice,
        Optional.empty());
  }

  private static BitSet nodes(int... ids) {
    BitSet bits = new BitSet();
    for (int id : ids) {
      bits.set(id);
    }
    return bits;
  }

  @Test
  void timedOutPilotIsReplacedAtOnceAndAPreemptionDuringWarmUpWastesItAll() {
    // The class Javadoc's example.
    SimulatedCluster cluster = cluster(20, Placement.LOWEST_ID);
    cluster.submit(shape(2, 0), 0);
    cluster.submit(shape(2, 0), 0);
    cluster.reclaim(nodes(16), 0);
    cluster.schedule(0);
    assertThat(cluster.runningCount()).isEqualTo(1);
    assertThat(cluster.readyCount(19)).isZero();
    assertThat(cluster.readyCount(20)).isEqualTo(1);

    cluster.advanceTo(125); // the first times out at 120 s, the second starts there
    assertThat(cluster.runningPilots())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.startTime).isEqualTo(120);
              assertThat(p.id).isEqualTo(new JobId(2));
            });
    cluster.reclaim(nodes(), 130);

    PilotAccounting a = cluster.accounting();
    assertThat(a.timedOut).isEqualTo(1);
    assertThat(a.preempted).isEqualTo(1);
    assertThat(a.preemptedBeforeReady).isEqualTo(1);
    assertThat(a.readySeconds).isCloseTo(100, within(1e-9));
    assertThat(a.warmingSeconds).isCloseTo(20 + 10, within(1e-9));
    assertThat(a.pilotSeconds).isCloseTo(130, within(1e-9));
  }

  @Test
  void pendingPilotsStartByNiceThenAgeOnTheLowestFreeNodes() {
    SimulatedCluster cluster = cluster(0, Placement.LOWEST_ID);
    JobId shortOld = cluster.submit(shape(2, 800), 0);
    JobId longNew = cluster.submit(shape(90, 0), 0);
    JobId longNewer = cluster.submit(shape(90, 0), 0);
    cluster.reclaim(nodes(3, 9), 0);
    cluster.schedule(0);

    assertThat(cluster.runningPilots())
        .extracting(p -> p.id)
        .containsExactlyInAnyOrder(longNew, longNewer);
    assertThat(cluster.runningPilots())
        .filteredOn(p -> p.id.equals(longNew))
        .singleElement()
        .satisfies(p -> assertThat(p.node).isEqualTo(3));
    assertThat(cluster.pendingPilots()).extracting(p -> p.id).containsExactly(shortOld);
  }

  @Test
  void targetedPilotsWaitForTheirNodeAndOthersPassThem() {
    SimulatedCluster cluster = cluster(0, Placement.LOWEST_ID);
    PilotShape onP0005 =
        new PilotShape(
            "lowprio",
            Optional.empty(),
            Duration.ofMinutes(5),
            Optional.empty(),
            0,
            Optional.of("p0005"));
    JobId targeted = cluster.submit(onP0005, 0);
    JobId pool = cluster.submit(shape(10, 100), 0);
    cluster.reclaim(nodes(1), 0);
    cluster.schedule(0);

    assertThat(cluster.runningPilots()).extracting(p -> p.id).containsExactly(pool);
    cluster.reclaim(nodes(1, 5), 10);
    cluster.schedule(10);
    assertThat(cluster.runningPilots())
        .filteredOn(p -> p.id.equals(targeted))
        .singleElement()
        .satisfies(p -> assertThat(p.node).isEqualTo(5));
  }

  @Test
  void cancelsPendingAndRunningPilotsAndRefusesUnknownOnes() {
    SimulatedCluster cluster = cluster(0, Placement.LOWEST_ID);
    JobId running = cluster.submit(shape(10, 0), 0);
    JobId waiting = cluster.submit(shape(10, 0), 0);
    cluster.reclaim(nodes(1), 0);
    cluster.schedule(0);

    assertThat(cluster.cancel(waiting, 5)).isEmpty();
    assertThat(cluster.cancel(running, 6)).isEmpty();
    assertThat(cluster.cancel(new JobId(99), 7))
        .hasValue("pilot 99 is neither pending nor running");
    assertThat(cluster.accounting().pendingCancelled).isEqualTo(1);
    assertThat(cluster.accounting().cancelledRunning).isEqualTo(1);
    assertThat(cluster.runningCount()).isZero();
    assertThat(cluster.pendingCount()).isZero();
  }

  @Test
  void randomPlacementIsReproducibleFromTheSeed() {
    List<Integer> first = placements(new SplittableRandom(42));
    List<Integer> second = placements(new SplittableRandom(42));

    assertThat(first).isEqualTo(second);
    assertThat(first).isNotEqualTo(List.of(0, 1, 2, 3, 4));
  }

  private List<Integer> placements(SplittableRandom random) {
    SimulatedCluster cluster = new SimulatedCluster(0, Placement.RANDOM, random, naming);
    for (int i = 0; i < 5; i++) {
      cluster.submit(shape(10, 0), 0);
    }
    BitSet many = new BitSet();
    many.set(0, 100);
    cluster.reclaim(many, 0);
    cluster.schedule(0);
    return cluster.runningPilots().stream()
        .sorted(Comparator.comparing(p -> p.id))
        .map(p -> p.node)
        .toList();
  }
}
