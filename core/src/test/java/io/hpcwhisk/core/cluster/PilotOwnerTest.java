package io.hpcwhisk.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.harvest.Fleet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A job is ours when its name has the prefix and its owner is the pilot user: another user's job
 * named {@code hpcw-pilot-…} is neither in the fleet nor exempt from closing windows.
 */
class PilotOwnerTest {

  static final Instant T = Instant.parse("2026-12-07T12:00:00Z");
  static final PilotOwner OURS = PilotOwner.of("hpcw-pilot", "hpcwhisk");

  static Job owned(Job job, String user) {
    return new Job(
        job.id(),
        job.name(),
        job.partition(),
        job.qos(),
        job.state(),
        job.nodes(),
        job.requiredNodes(),
        job.submitTime(),
        job.startTime(),
        job.endTime(),
        job.timeLimit(),
        job.timeMin(),
        job.nice(),
        job.preemptTime(),
        Optional.ofNullable(user));
  }

  static Job running(long id, String name, String node, String user) {
    return owned(
        Job.running(new JobId(id), name, "whisk", List.of(node), T, Duration.ofMinutes(10)), user);
  }

  @Test
  void nameAndOwnerBothDecide() {
    assertThat(OURS.owns(running(1, "hpcw-pilot-5m", "n1", "hpcwhisk"))).isTrue();
    assertThat(OURS.owns(running(2, "hpcw-pilot-5m", "n1", "mallory"))).isFalse();
    assertThat(OURS.impersonates(running(2, "hpcw-pilot-5m", "n1", "mallory"))).isTrue();
    assertThat(OURS.owns(running(3, "batch", "n1", "hpcwhisk"))).isFalse();
    assertThat(OURS.impersonates(running(3, "batch", "n1", "hpcwhisk"))).isFalse();
    assertThat(OURS.owns(running(4, "hpcw-pilot-5m", "n1", null)))
        .as("owner not reported (a trace): the name decides")
        .isTrue();
    assertThat(PilotOwner.byName("hpcw-pilot").owns(running(5, "hpcw-pilot-x", "n1", "mallory")))
        .as("by name only")
        .isTrue();
    assertThatThrownBy(() -> PilotOwner.of(" ", "x")).hasMessageContaining("blank");
  }

  @Test
  void anImpostorIsNotInTheFleetAndClosesWindowsLikeAnyBatchJob() {
    Job ours = running(1, "hpcw-pilot-a", "n1", "hpcwhisk");
    Job impostor = running(2, "hpcw-pilot-b", "n2", "mallory");
    Job plannedImpostor =
        owned(
            Job.pending(
                new JobId(3),
                "hpcw-pilot-c",
                "batch",
                List.of("n3"),
                T.plusSeconds(90),
                Duration.ofMinutes(5)),
            "mallory");
    Fleet fleet = Fleet.fromJobs(List.of(ours, impostor, plannedImpostor), OURS);
    assertThat(fleet.running()).extracting(p -> p.id().value()).containsExactly(1L);
    assertThat(fleet.pending()).isEmpty();

    ClusterObservation seen =
        new ClusterObservation(
            T,
            List.of(new NodeInfo("n3", NodeState.IDLE, Set.of("whisk", "batch"))),
            List.of(ours, impostor, plannedImpostor));
    ClusterSnapshot snapshot =
        new SnapshotBuilder(HarvestTarget.partition("whisk"), OURS).build(seen);
    assertThat(snapshot.nodes().get(0).window().orElseThrow().end())
        .as("the impostor's planned start closes n3's window")
        .contains(T.plusSeconds(90));
  }
}
