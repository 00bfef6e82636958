package io.hpcwhisk.slurm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.PilotOwner;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The lean {@code squeue -O} / {@code sinfo -o} shapes of the filtered view, read from real
 * captures of Slurm 22.05.8 and 24.11.5 ({@code fixtures/capture-lines.sh}).
 */
class SlurmLinesTest {

  private static final PilotOwner PILOTS = PilotOwner.of("hpcw-pilot-", "root");

  private static Map<Long, Job> jobs(String fixture) {
    SlurmLines.Parsed<Job> parsed = SlurmLines.jobs(Fixtures.read(fixture), PILOTS::owns);
    assertThat(parsed.garbage()).as("a real capture has no garbage").isZero();
    return parsed.records().stream()
        .collect(Collectors.toMap(j -> j.id().value(), Function.identity()));
  }

  @Test
  void slurm2205PendingJobsCarryTheirScheduledNodesInTheSameAnswer() {
    Map<Long, Job> jobs = jobs("slurm-22.05-squeue-preempted-lines.txt");
    assertThat(jobs.keySet())
        .as(
            "finished batch jobs 1 (COMPLETED) and 6 (CANCELLED) left out, the pilot that timed out"
                + " kept")
        .containsExactlyInAnyOrder(2L, 9L, 10L, 4L, 7L, 8L, 5L, 3L);
    Job wide = jobs.get(2L);
    assertThat(wide.state()).isEqualTo(JobState.PENDING);
    assertThat(wide.nodes()).containsExactly("n1", "n2", "n3", "n4");
    assertThat(wide.startTime()).contains(Instant.ofEpochSecond(1796661964));
    assertThat(wide.timeLimit()).contains(Duration.ofMinutes(5));
    assertThat(wide.user()).contains("root");
    Job pilot = jobs.get(8L);
    assertThat(pilot.name()).isEqualTo("hpcw-pilot-2m-n4");
    assertThat(pilot.partition()).isEqualTo("whisk");
    assertThat(pilot.nodes()).containsExactly("n4");
    assertThat(pilot.requiredNodes()).containsExactly("n4");
    assertThat(pilot.timeLimit()).contains(Duration.ofMinutes(30));
    assertThat(pilot.timeMin()).contains(Duration.ofMinutes(2));
    assertThat(pilot.nice()).isEqualTo(100);
    assertThat(pilot.qos()).isEmpty();
    assertThat(jobs.get(3L).state()).isEqualTo(JobState.TIMEOUT);
    assertThat(jobs.get(7L).nodes()).containsExactly("n3");
    assertThat(jobs.get(4L).name()).as("a name with the separator in it").isEqualTo("we|ird name");
    assertThat(jobs.get(4L).startTime()).isEmpty();
  }

  @Test
  void slurm2411PreemptedPilotAndItsPreemptTime() {
    Map<Long, Job> jobs = jobs("slurm-24.11-squeue-preempted-lines.txt");
    assertThat(jobs.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
    Job pilot = jobs.get(3L);
    assertThat(pilot.state()).isEqualTo(JobState.PREEMPTED);
    assertThat(pilot.preemptTime()).contains(Instant.ofEpochSecond(1796661859));
    assertThat(pilot.nodes()).containsExactly("n3");
    assertThat(pilot.timeMin()).contains(Duration.ofMinutes(2));
    assertThat(jobs.get(5L).requiredNodes()).containsExactly("n3");
    assertThat(jobs.get(2L).nodes()).containsExactly("n1", "n2", "n3", "n4");
    Map<Long, Job> window = jobs("slurm-24.11-squeue-window-lines.txt");
    assertThat(window.get(3L).state()).isEqualTo(JobState.RUNNING);
    assertThat(window.get(3L).preemptTime()).isEmpty();
  }

  @Test
  void nodesOfBothVersionsWithTheirLongStates() {
    Map<String, Integer> gpus = new HashMap<>();
    List<NodeInfo> drained =
        SlurmLines.nodes(Fixtures.read("slurm-22.05-sinfo-window-lines.txt"), gpus).records();
    assertThat(drained)
        .extracting(NodeInfo::state)
        .containsExactly(NodeState.IDLE, NodeState.IDLE, NodeState.IDLE, NodeState.DRAIN);
    assertThat(drained.get(0).partitions()).containsExactly("whisk");
    List<NodeInfo> planned =
        SlurmLines.nodes(Fixtures.read("slurm-24.11-sinfo-window-lines.txt"), gpus).records();
    assertThat(planned)
        .extracting(NodeInfo::state)
        .containsExactly(
            NodeState.ALLOCATED, NodeState.ALLOCATED, NodeState.ALLOCATED, NodeState.PLANNED);
    assertThat(
            SlurmLines.nodes(Fixtures.read("slurm-22.05-sinfo-preempted-lines.txt"), gpus)
                .records())
        .extracting(NodeInfo::state)
        .containsExactly(
            NodeState.PLANNED, NodeState.PLANNED, NodeState.ALLOCATED, NodeState.PLANNED);
    assertThat(gpus).isEmpty();
  }

  @Test
  void flagSuffixesAndGpus() {
    Map<String, Integer> gpus = new HashMap<>();
    List<NodeInfo> nodes =
        SlurmLines.nodes(
                "a1|idle*|whisk|(null)\n"
                    + "a2|idle~|whisk|(null)\n"
                    + "a3|mixed|whisk*|gpu:a100:4(S:0-1)\n"
                    + "a4|idle$|whisk|(null)\n"
                    + "a5|idle+drain|whisk|(null)\n"
                    + "a6|idle|whisk|gpu:2\n",
                gpus)
            .records();
    assertThat(nodes)
        .extracting(NodeInfo::state)
        .containsExactly(
            NodeState.DOWN,
            NodeState.DOWN,
            NodeState.MIXED,
            NodeState.RESERVED,
            NodeState.DRAIN,
            NodeState.IDLE);
    assertThat(nodes.get(2).partitions()).containsExactly("whisk");
    assertThat(gpus).isEqualTo(Map.of("a3", 4, "a6", 2));
  }

  @Test
  void durationsAndTimesAsSlurmPrintsThem() {
    assertThat(SlurmLines.duration("5:00")).contains(Duration.ofMinutes(5));
    assertThat(SlurmLines.duration("1:00:00")).contains(Duration.ofHours(1));
    assertThat(SlurmLines.duration("2-03:04:05"))
        .contains(Duration.ofDays(2).plusHours(3).plusMinutes(4).plusSeconds(5));
    assertThat(SlurmLines.duration("UNLIMITED")).isEmpty();
    assertThat(SlurmLines.time("N/A")).isEmpty();
    assertThat(SlurmLines.time("1796661964")).contains(Instant.ofEpochSecond(1796661964));
    assertThat(SlurmLines.jobId("12_3")).isEqualTo(new JobId(12));
    assertThat(SlurmLines.squeueFormat())
        .startsWith("JobID:|,Partition:|")
        .endsWith(",UserName:|,Name:");
    assertThat(Optional.of(SlurmLines.nodeStates("idle-")))
        .hasValueSatisfying(s -> assertThat(s).contains("IDLE", "PLANNED"));
  }
}
