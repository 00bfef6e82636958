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

  /**
   * The first captures ({@code capture-lines.sh} without {@code MARK=FRAMED}) framed as the view's
   * command frames each record: cluster name and mark before, mark after.
   */
  static String framed(String unframed, String mark) {
    StringBuilder sb = new StringBuilder();
    unframed
        .lines()
        .forEach(l -> sb.append("hpcw9283497a").append(mark).append(l).append(mark).append('\n'));
    return sb.toString();
  }

  private static Map<Long, Job> jobs(String fixture) {
    String mark = SlurmLines.newMark();
    SlurmLines.Parsed<Job> parsed =
        SlurmLines.jobs(framed(Fixtures.read(fixture), mark), mark, PILOTS::owns);
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
    assertThat(SlurmLines.squeueFormat("m123"))
        .startsWith("Cluster:m123,JobID:|,Partition:|")
        .endsWith(",UserName:|,Name:m123");
    assertThat(SlurmLines.newMark()).matches("m[a-z0-9]{11}").isNotEqualTo(SlurmLines.newMark());
    assertThat(Optional.of(SlurmLines.nodeStates("idle-")))
        .hasValueSatisfying(s -> assertThat(s).contains("IDLE", "PLANNED"));
  }

  /**
   * Real 24.11.5 output of a job a local user named {@code
   * "inj\n999|whisk|…|root|hpcw-pilot-evil"}: without the frame its second line would read as a
   * running pilot of root; framed, it is the name of job 6 and nothing else.
   */
  @Test
  void aNewlineInAJobNameCannotForgeARecord() {
    SlurmLines.Parsed<Job> parsed =
        SlurmLines.jobs(
            Fixtures.read("slurm-24.11-squeue-injected-lines.txt"), "m0capture000", PILOTS::owns);
    assertThat(parsed.garbage()).isZero();
    assertThat(parsed.records()).extracting(j -> j.id().value()).containsExactly(6L, 4L);
    assertThat(parsed.records().get(0).name())
        .startsWith("inj\n999|whisk|")
        .endsWith("hpcw-pilot-evil");
    assertThat(parsed.records().get(1).name()).isEqualTo("we|ird name");

    SlurmLines.Parsed<Job> unframed =
        SlurmLines.jobs(
            Fixtures.read("slurm-24.11-squeue-injected-lines.txt"), "mguessed0000", PILOTS::owns);
    assertThat(unframed.records()).as("another mark: nothing is read").isEmpty();
    assertThat(unframed.garbage()).isEqualTo(3);
  }
}
