package io.hpcwhisk.simulator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.core.cluster.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IncrementalSnapshotBuilderTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final HarvestTarget TARGET = HarvestTarget.partition("whisk");
  static final String PREFIX = "hpcw-pilot-";
  static final NodeState[] STATES = NodeState.values();
  static final JobState[] JOB_STATES = JobState.values();

  @Test
  void theExampleOfTheJavadoc() {
    List<NodeInfo> nodes = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      nodes.add(new NodeInfo("n" + i, NodeState.IDLE, Set.of("batch", "whisk")));
    }
    var builder = new IncrementalSnapshotBuilder(TARGET, PREFIX, nodes);
    assertThat(builder.build(T0).nodes())
        .allSatisfy(n -> assertThat(n.window()).contains(Window.unbounded(T0)));

    builder.putJob(
        Job.pending(
            new JobId(2),
            "wide",
            "batch",
            List.of("n1", "n2", "n3", "n4"),
            T0.plusSeconds(90),
            Duration.ofMinutes(5)));
    builder.node(new NodeInfo("n1", NodeState.ALLOCATED, Set.of("batch", "whisk")));
    builder.node(new NodeInfo("n2", NodeState.ALLOCATED, Set.of("batch", "whisk")));
    builder.node(new NodeInfo("n3", NodeState.PLANNED, Set.of("batch", "whisk")));
    builder.node(new NodeInfo("n4", NodeState.PLANNED, Set.of("batch", "whisk")));
    ClusterSnapshot snapshot = builder.build(T0);

    assertThat(snapshot.node("n1").orElseThrow().window()).isEmpty();
    assertThat(snapshot.node("n3").orElseThrow().window().orElseThrow().length())
        .contains(Duration.ofSeconds(90));
    assertThat(snapshot)
        .isEqualTo(new SnapshotBuilder(TARGET, PREFIX).build(builder.observation(T0)));
  }

  /**
   * Random clusters and random change sequences: after every change both paths give equal
   * snapshots.
   */
  @Test
  void givesTheSameSnapshotAsThePlainBuilderOnRandomChanges() {
    SnapshotBuilder plain = new SnapshotBuilder(TARGET, PREFIX);
    long compared = 0;
    for (int seed = 0; seed < 300; seed++) {
      Random random = new Random(seed);
      int nodeCount = 1 + random.nextInt(12);
      List<NodeInfo> nodes = new ArrayList<>();
      for (int i = 0; i < nodeCount; i++) {
        Set<String> partitions =
            random.nextInt(5) == 0 ? Set.of("batch") : Set.of("batch", "whisk");
        nodes.add(
            new NodeInfo("n" + random.nextInt(1000) + "-" + i, pick(random, STATES), partitions));
      }
      var builder = new IncrementalSnapshotBuilder(TARGET, PREFIX, nodes);
      List<Long> ids = new ArrayList<>();
      Instant now = T0;
      ClusterSnapshot previous = null;
      ClusterSnapshot beforePrevious = null;
      for (int step = 0; step < 60; step++) {
        int op = random.nextInt(10);
        if (op < 3) {
          NodeInfo old = nodes.get(random.nextInt(nodeCount));
          builder.node(new NodeInfo(old.name(), pick(random, STATES), old.partitions()));
        } else if (op < 8) {
          long id =
              ids.isEmpty() || random.nextBoolean()
                  ? 1 + random.nextInt(50)
                  : ids.get(random.nextInt(ids.size()));
          builder.putJob(randomJob(random, id, nodes, now));
          ids.add(id);
        } else if (!ids.isEmpty()) {
          builder.removeJob(new JobId(ids.get(random.nextInt(ids.size()))));
        }
        now = now.plusSeconds(random.nextInt(40));
        ClusterSnapshot fast = builder.build(now);
        ClusterSnapshot reference = plain.build(builder.observation(now));
        assertThat(fast).as("seed %d step %d", seed, step).isEqualTo(reference);
        assertThat(fast.hashCode()).isEqualTo(reference.hashCode());
        for (Node node : reference.nodes()) {
          assertThat(fast.node(node.name())).contains(node); // the binary search finds every node
        }
        assertThat(fast.node("zz-absent")).isEmpty();
        assertThat(fast.harvestableNodes()).isEqualTo(reference.harvestableNodes());
        assertThat(fast.freeNodeCount()).isEqualTo(reference.freeNodeCount());
        assertThat(fast.boundedWindowCount()).isEqualTo(reference.boundedWindowCount());
        assertThat(fast.node("a-absent")).isEmpty();
        if (previous != null) {
          List<Node> previousNodes = previous.nodes();
          int[] changed =
              fast.stateChanges().filter(c -> c.since(previousNodes)).orElseThrow().positions();
          assertThat(changed).isSorted().doesNotHaveDuplicates();
          for (int i = 0; i < fast.nodes().size(); i++) {
            if (fast.nodes().get(i).state() != previous.nodes().get(i).state()) {
              assertThat(changed)
                  .as("seed %d step %d: node %d changed state", seed, step, i)
                  .contains(i);
            }
          }
          int last = fast.nodes().size() - 1;
          assertThat(Arrays.stream(changed)).allSatisfy(i -> assertThat(i).isBetween(0, last));
          assertThat(fast.stateChanges().filter(c -> c.since(reference.nodes())))
              .as("a plain snapshot")
              .isEmpty();
          assertThat(reference.stateChanges()).isEmpty();
        }
        if (beforePrevious != null) {
          List<Node> beforePreviousNodes = beforePrevious.nodes();
          assertThat(fast.stateChanges().filter(c -> c.since(beforePreviousNodes)))
              .as("not the build just before")
              .isEmpty();
        }
        beforePrevious = previous;
        previous = fast;
        compared++;
      }
    }
    assertThat(compared).isEqualTo(300 * 60);
  }

  private static Job randomJob(Random random, long id, List<NodeInfo> nodes, Instant now) {
    List<String> on = new ArrayList<>();
    int k = random.nextInt(4);
    for (int i = 0; i < k; i++) {
      on.add(random.nextInt(8) == 0 ? "elsewhere" : nodes.get(random.nextInt(nodes.size())).name());
    }
    String name = random.nextInt(3) == 0 ? PREFIX + id : "job" + id;
    JobState state = random.nextBoolean() ? JobState.PENDING : pick(random, JOB_STATES);
    Optional<Instant> start =
        random.nextInt(4) == 0
            ? Optional.empty()
            : Optional.of(now.plusSeconds(random.nextInt(600) - 200));
    return new Job(
        new JobId(id),
        name,
        random.nextBoolean() ? "whisk" : "batch",
        Optional.empty(),
        state,
        on,
        List.of(),
        Optional.of(now),
        start,
        Optional.empty(),
        Optional.of(Duration.ofMinutes(5)),
        Optional.empty(),
        0);
  }

  private static <T> T pick(Random random, T[] values) {
    return values[random.nextInt(values.length)];
  }

  @Test
  void refusesUnknownNodesAndPartitionChanges() {
    var builder =
        new IncrementalSnapshotBuilder(
            TARGET, PREFIX, List.of(new NodeInfo("n1", NodeState.IDLE, Set.of("whisk"))));

    assertThatThrownBy(() -> builder.node(new NodeInfo("n9", NodeState.IDLE, Set.of("whisk"))))
        .hasMessageContaining("unknown node n9");
    assertThatThrownBy(() -> builder.node(new NodeInfo("n1", NodeState.IDLE, Set.of("batch"))))
        .hasMessageContaining("changed partitions");
  }
}
