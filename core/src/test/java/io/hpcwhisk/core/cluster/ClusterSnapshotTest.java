package io.hpcwhisk.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterSnapshotTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final HarvestTarget WHISK = HarvestTarget.partition("whisk");
  static final Node N1 = Node.free("n1", NodeState.IDLE, Window.unbounded(NOW));
  static final Node N2 = Node.busy("n2", NodeState.ALLOCATED);
  static final Node N3 = Node.free("n3", NodeState.PLANNED, Window.until(NOW, NOW.plusSeconds(90)));

  @Test
  void anOrderedSnapshotEqualsThePlainOneAndHandsBackItsHarvestableNodesAndChanges() {
    List<Node> before = List.of(N1, Node.free("n2", NodeState.IDLE, Window.unbounded(NOW)), N3);
    NodeChanges changes = new NodeChanges(before, new int[] {1});

    ClusterSnapshot ordered =
        ClusterSnapshot.ordered(
            NOW, WHISK, List.of(N1, N2, N3), List.of(N1, N3), List.of(), Optional.of(changes));
    ClusterSnapshot plain = new ClusterSnapshot(NOW, WHISK, List.of(N3, N2, N1), List.of());

    assertThat(ordered).isEqualTo(plain).hasSameHashCodeAs(plain);
    assertThat(ordered.harvestableNodes())
        .containsExactly(N1, N3)
        .isEqualTo(plain.harvestableNodes());
    assertThat(ordered.stateChanges()).containsSame(changes);
    assertThat(plain.stateChanges()).isEmpty();
    assertThat(changes.since(before)).isTrue();
    assertThat(changes.since(new ArrayList<>(before)))
        .as("the same list object, not an equal one")
        .isFalse();
    assertThat(changes.positions()).containsExactly(1);
  }

  @Test
  void withAssertionsOnAnOrderedSnapshotOutOfOrderIsRefused() {
    assumeThat(ClusterSnapshot.class.desiredAssertionStatus())
        .as("assertions enabled (Surefire's default)")
        .isTrue();

    assertThatThrownBy(
            () ->
                ClusterSnapshot.ordered(
                    NOW, WHISK, List.of(N2, N1), List.of(N1), List.of(), Optional.empty()))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(
            () ->
                ClusterSnapshot.ordered(
                    NOW, WHISK, List.of(N1, N2), List.of(), List.of(), Optional.empty()))
        .as("a harvestable node left out")
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void thePlainConstructorRefusesANodeTwiceNamingIt() {
    assertThatThrownBy(() -> new ClusterSnapshot(NOW, WHISK, List.of(N1, N1), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node n1 appears twice");
  }
}
