package io.hpcwhisk.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SnapshotBuilderTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  final SnapshotBuilder builder =
      new SnapshotBuilder(HarvestTarget.partition("whisk"), "hpcw-pilot");

  static NodeInfo node(String name, NodeState state, String... partitions) {
    return new NodeInfo(name, state, Set.of(partitions));
  }

  @Test
  void plannedNodesGetAWindowUntilTheExpectedStartOfThePendingJob() {
    var obs =
        new ClusterObservation(
            NOW,
            List.of(
                node("n1", NodeState.ALLOCATED, "batch", "whisk"),
                    node("n2", NodeState.ALLOCATED, "batch", "whisk"),
                node("n3", NodeState.PLANNED, "batch", "whisk"),
                    node("n4", NodeState.PLANNED, "batch", "whisk")),
            List.of(
                Job.running(
                    new JobId(1),
                    "big",
                    "batch",
                    List.of("n1", "n2"),
                    NOW.minusSeconds(30),
                    Duration.ofMinutes(2)),
                Job.pending(
                    new JobId(2),
                    "wide",
                    "batch",
                    List.of("n1", "n2", "n3", "n4"),
                    NOW.plusSeconds(90),
                    Duration.ofMinutes(5))));

    ClusterSnapshot snapshot = builder.build(obs);

    assertThat(snapshot.node("n1").orElseThrow().window()).isEmpty();
    assertThat(snapshot.node("n3").orElseThrow().window().orElseThrow().length())
        .contains(Duration.ofSeconds(90));
    assertThat(snapshot.node("n4").orElseThrow().window().orElseThrow().end())
        .contains(NOW.plusSeconds(90));
    assertThat(snapshot.boundedWindowCount()).isEqualTo(2);
    assertThat(snapshot.jobs()).extracting(Job::id).containsExactly(new JobId(1), new JobId(2));
  }

  @Test
  void onlyNodesOfTheHarvestPartitionCount() {
    var obs =
        new ClusterObservation(
            NOW,
            List.of(node("a1", NodeState.IDLE, "batch"), node("n1", NodeState.IDLE, "whisk")),
            List.of());

    assertThat(builder.build(obs).nodes()).extracting(Node::name).containsExactly("n1");
  }

  @Test
  void idleNodesWithoutPlannedJobsAreUnbounded() {
    var obs = new ClusterObservation(NOW, List.of(node("n1", NodeState.IDLE, "whisk")), List.of());

    assertThat(builder.build(obs).node("n1").orElseThrow().window())
        .contains(Window.unbounded(NOW));
  }

  @Test
  void pendingPilotsNeverCloseAWindowAndTheEarliestBatchJobDoes() {
    var obs =
        new ClusterObservation(
            NOW,
            List.of(node("n1", NodeState.PLANNED, "whisk")),
            List.of(
                Job.pending(
                    new JobId(7),
                    "hpcw-pilot-3",
                    "whisk",
                    List.of("n1"),
                    NOW.plusSeconds(10),
                    Duration.ofMinutes(2)),
                Job.pending(
                    new JobId(8),
                    "late",
                    "batch",
                    List.of("n1"),
                    NOW.plusSeconds(600),
                    Duration.ofMinutes(2)),
                Job.pending(
                    new JobId(9),
                    "early",
                    "batch",
                    List.of("n1"),
                    NOW.plusSeconds(300),
                    Duration.ofMinutes(2))));

    assertThat(builder.build(obs).node("n1").orElseThrow().window().orElseThrow().end())
        .contains(NOW.plusSeconds(300));
  }

  @Test
  void aPlannedStartInThePastGivesAnEmptyWindow() {
    var obs =
        new ClusterObservation(
            NOW,
            List.of(node("n1", NodeState.PLANNED, "whisk")),
            List.of(
                Job.pending(
                    new JobId(8),
                    "late",
                    "batch",
                    List.of("n1"),
                    NOW.minusSeconds(5),
                    Duration.ofMinutes(2))));

    assertThat(builder.build(obs).node("n1").orElseThrow().window().orElseThrow().length())
        .contains(Duration.ZERO);
  }

  @Test
  void finishedJobsAreLeftOutOfTheSnapshot() {
    Job done =
        Job.running(
                new JobId(3),
                "x",
                "batch",
                List.of("n1"),
                NOW.minusSeconds(60),
                Duration.ofMinutes(1))
            .withState(
                JobState.COMPLETED,
                List.of("n1"),
                Optional.of(NOW.minusSeconds(60)),
                Optional.of(NOW));
    var obs =
        new ClusterObservation(NOW, List.of(node("n1", NodeState.IDLE, "whisk")), List.of(done));

    assertThat(builder.build(obs).jobs()).isEmpty();
  }

  @Test
  void nodesAndWindowsAreValidated() {
    assertThatThrownBy(() -> Node.busy("n1", NodeState.IDLE))
        .hasMessageContaining("needs a window");
    assertThatThrownBy(() -> new Window(NOW, Optional.of(NOW.minusSeconds(1))))
        .hasMessageContaining("before");
    assertThatThrownBy(() -> new SnapshotBuilder(HarvestTarget.partition("whisk"), " "))
        .hasMessageContaining("prefix");
    assertThatThrownBy(
            () ->
                new ClusterSnapshot(
                    NOW,
                    HarvestTarget.partition("whisk"),
                    List.of(Node.free("n1", NodeState.IDLE, Window.unbounded(NOW.minusSeconds(1)))),
                    List.of()))
        .hasMessageContaining("not at the snapshot time");
  }

  @Test
  void jobIdsParseAsSbatchPrintsThem() {
    assertThat(JobId.parse("123\n")).isEqualTo(new JobId(123));
    assertThat(JobId.parse("45;lab")).isEqualTo(new JobId(45));
    assertThatThrownBy(() -> JobId.parse("Submitted")).hasMessageContaining("'Submitted'");
  }
}
