package io.hpcwhisk.core.harvest;

import static io.hpcwhisk.core.harvest.Fixtures.NOW;
import static io.hpcwhisk.core.harvest.Fixtures.min;
import static io.hpcwhisk.core.harvest.Fixtures.pending;
import static io.hpcwhisk.core.harvest.Fixtures.shape;
import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PilotTest {

  @Test
  void aPilotWhoseEndWasPulledInIsBeingPreempted() {
    Pilot running = Pilot.running(new JobId(8), shape(min(2)), "n3", NOW);
    Pilot preempting =
        new Pilot(
            running.id(),
            running.shape(),
            PilotState.RUNNING,
            running.node(),
            running.submitTime(),
            running.startTime(),
            Optional.of(NOW.plusSeconds(16)));

    assertThat(running.endPulledIn()).isFalse();
    assertThat(preempting.endPulledIn()).isTrue();
    assertThat(pending(9, shape(min(2))).endPulledIn()).isFalse();
  }

  @Test
  void aPreemptedPilotsHandOverRunsFromItsPreemptionToItsEnd() {
    Job preempted =
        new Job(
            new JobId(8),
            "hpcw-pilot-30m",
            "whisk",
            Optional.empty(),
            JobState.PREEMPTED,
            List.of("n3"),
            List.of(),
            Optional.of(NOW),
            Optional.of(NOW),
            Optional.of(NOW.plusSeconds(62)),
            Optional.of(min(30)),
            Optional.empty(),
            0,
            Optional.of(NOW.plusSeconds(60)));
    Job timedOut =
        Job.running(new JobId(9), "hpcw-pilot-2m", "whisk", List.of("n4"), NOW, min(2))
            .withState(
                JobState.TIMEOUT, List.of("n4"), Optional.of(NOW), Optional.of(NOW.plus(min(2))));

    Fleet fleet = Fleet.fromJobs(List.of(preempted, timedOut), "hpcw-pilot");

    assertThat(fleet.pilots().get(0).handOver()).contains(Duration.ofSeconds(2));
    assertThat(fleet.pilots().get(1).handOver()).isEmpty();
    assertThat(Pilot.running(new JobId(10), shape(min(2)), "n1", NOW).handOver()).isEmpty();
  }

  @Test
  void theFleetIsTheJobsWithThePilotPrefix() {
    Job batch = Job.running(new JobId(1), "big", "batch", List.of("n1"), NOW, min(3));
    Job pilot =
        new Job(
            new JobId(7),
            "hpcw-pilot-2m-n4",
            "whisk",
            Optional.empty(),
            JobState.RUNNING,
            List.of("n4"),
            List.of("n4"),
            Optional.of(NOW),
            Optional.of(NOW),
            Optional.of(NOW.plus(min(2))),
            Optional.of(min(2)),
            Optional.of(min(2)),
            100);
    Job preempted =
        Job.running(new JobId(8), "hpcw-pilot-30m", "whisk", List.of("n3"), NOW, min(2))
            .withState(
                JobState.PREEMPTED,
                List.of("n3"),
                Optional.of(NOW),
                Optional.of(NOW.plusSeconds(36)));
    Job waiting =
        Job.pending(
            new JobId(9), "hpcw-pilot-30m", "whisk", List.of("n4"), NOW.plus(min(5)), min(30));

    Fleet fleet = Fleet.fromJobs(List.of(batch, pilot, preempted, waiting), "hpcw-pilot");

    assertThat(fleet.pilots()).extracting(p -> p.id().value()).containsExactly(7L, 8L, 9L);
    assertThat(fleet.runningOn("n4"))
        .hasValueSatisfying(
            p -> {
              assertThat(p.shape().targetNode()).contains("n4");
              assertThat(p.shape().nice()).isEqualTo(100);
              assertThat(p.shape().timeMin()).contains(min(2));
            });
    assertThat(fleet.inState(PilotState.PREEMPTED)).hasSize(1);
    assertThat(fleet.pending())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.node()).as("scheduled is not running").isEmpty();
              assertThat(p.shape().time()).isEqualTo(Duration.ofMinutes(30));
            });
  }
}
