package io.hpcwhisk.slurm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlurmJsonTest {

  static Map<String, NodeInfo> nodes(String fixture) {
    return SlurmJson.nodes(Fixtures.read(fixture)).stream()
        .collect(Collectors.toMap(NodeInfo::name, Function.identity()));
  }

  static Map<Long, Job> jobs(String fixture) {
    return SlurmJson.jobs(Fixtures.read(fixture)).stream()
        .collect(Collectors.toMap(j -> j.id().value(), Function.identity()));
  }

  @ParameterizedTest(name = "{0}: {1} is {2}")
  @CsvSource({
      "slurm-22.05-sinfo-planned.json, n1, ALLOCATED",
      "slurm-22.05-sinfo-planned.json, n3, PLANNED",
      "slurm-22.05-sinfo-drain.json,   n4, DRAIN",
      "synthetic-23.02-sinfo.json,     n3, PLANNED",
      "synthetic-23.02-sinfo.json,     n4, DRAIN",
      "synthetic-23.02-sinfo.json,     n5, IDLE",
      "synthetic-24.11-sinfo.json,     n3, PLANNED",
      "synthetic-24.11-sinfo.json,     n4, MIXED",
      "synthetic-24.11-sinfo.json,     d1, DOWN",
  })
  void nodeStatesOfEveryShape(String fixture, String node, NodeState expected) {
    assertThat(nodes(fixture).get(node).state()).isEqualTo(expected);
  }

  @Test
  void partitionsAreMergedAcrossSinfoGroups() {
    assertThat(nodes("synthetic-24.11-sinfo.json").get("n1").partitions()).isEqualTo(Set.of("batch", "whisk"));
    assertThat(nodes("slurm-22.05-sinfo-planned.json").get("n1").partitions()).isEqualTo(Set.of("batch", "whisk"));
    assertThat(nodes("synthetic-23.02-sinfo.json").get("n5").partitions()).isEqualTo(Set.of("batch"));
  }

  @Test
  void realSlurm2205JobsParse() {
    Map<Long, Job> jobs = jobs("slurm-22.05-squeue-planned.json");

    Job big = jobs.get(5L);
    assertThat(big.state()).isEqualTo(JobState.RUNNING);
    assertThat(big.nodes()).containsExactly("n1", "n2");
    assertThat(big.timeLimit()).contains(Duration.ofMinutes(3));
    assertThat(big.startTime()).contains(Instant.ofEpochSecond(1795741460));
    Job wide = jobs.get(6L);
    assertThat(wide.state()).isEqualTo(JobState.PENDING);
    assertThat(wide.nodes()).as("22.05 JSON has no scheduled nodes").isEmpty();
    assertThat(wide.startTime()).contains(Instant.ofEpochSecond(1795741640));
    Job pilot = jobs.get(7L);
    assertThat(pilot.name()).isEqualTo("hpcw-pilot-2m-n4");
    assertThat(pilot.requiredNodes()).containsExactly("n4");
    assertThat(pilot.timeMin()).contains(Duration.ofMinutes(2));
    assertThat(pilot.nice()).isEqualTo(100);
    assertThat(pilot.qos()).isEmpty();
    assertThat(jobs.get(8L).nice()).as("null nice").isZero();
    assertThat(jobs.get(3L).state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void preemptedPilotsAreReportedAsSuch() {
    assertThat(jobs("slurm-22.05-squeue-after-preemption.json").get(8L).state()).isEqualTo(JobState.PREEMPTED);
    Job beingPreempted = jobs("slurm-22.05-squeue-preempting.json").get(8L);
    assertThat(beingPreempted.state()).isEqualTo(JobState.RUNNING);
    assertThat(Duration.between(beingPreempted.startTime().get(), beingPreempted.endTime().get()))
        .as("Slurm pulled the end time in to now + GraceTime").isLessThan(beingPreempted.timeLimit().get());
  }

  @Test
  void aPilotThatLeftWithinTheGraceTimeCountsAsPreempted() {
    Map<Long, Job> jobs = jobs("slurm-22.05-squeue-step-left-in-grace.json");
    assertThat(jobs.get(20L).state()).as("COMPLETED with a preempt_time").isEqualTo(JobState.PREEMPTED);
    assertThat(jobs.get(19L).state()).as("COMPLETED, never preempted").isEqualTo(JobState.COMPLETED);
    assertThat(jobs.get(20L).preemptTime()).isPresent();
    assertThat(Duration.between(jobs.get(20L).preemptTime().get(), jobs.get(20L).endTime().get()))
        .as("it left within the grace time").isBetween(Duration.ZERO, Duration.ofSeconds(10));
    assertThat(jobs.get(19L).preemptTime()).isEmpty();
  }

  @Test
  void wrappedNumbersAndStateListsOfSlurm23() {
    Map<Long, Job> jobs = jobs("synthetic-23.02-squeue.json");

    assertThat(jobs.get(6L).nodes()).containsExactly("n1", "n2", "n3", "n4");
    assertThat(jobs.get(6L).startTime()).contains(Instant.ofEpochSecond(1795741640));
    assertThat(jobs.get(7L).timeMin()).contains(Duration.ofMinutes(2));
    assertThat(jobs.get(7L).qos()).contains("normal");
    assertThat(jobs.get(8L).state()).isEqualTo(JobState.PREEMPTED);
    assertThat(jobs.get(9L).state()).isEqualTo(JobState.PENDING);
    assertThat(jobs.get(11L).timeLimit()).as("infinite").isEmpty();
    assertThat(jobs.get(11L).startTime()).as("unset").isEmpty();
    assertThat(SlurmJson.release(Fixtures.read("synthetic-23.02-squeue.json"))).contains("23.02.5");
    assertThat(SlurmJson.release(Fixtures.read("synthetic-24.11-sinfo.json"))).contains("24.11.1");
    assertThat(SlurmJson.release(Fixtures.read("slurm-22.05-squeue-planned.json"))).contains("22.05.8");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "not json      | is not JSON",
      "[]            | is not a JSON object",
      "{\"meta\":{}} | neither 'nodes' nor 'sinfo'",
  })
  void unusableSinfoOutputIsRefusedWithItsHead(String text, String message) {
    assertThatThrownBy(() -> SlurmJson.nodes(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void missingFieldsTakeEmptyValues() {
    List<Job> jobs = SlurmJson.jobs("{\"jobs\":[{\"job_id\":4,\"job_state\":\"WEIRD\"},{\"name\":\"no id\"}]}");

    assertThat(jobs).singleElement().satisfies(j -> {
      assertThat(j.id()).isEqualTo(new JobId(4));
      assertThat(j.state()).isEqualTo(JobState.OTHER);
      assertThat(j.timeLimit()).isEmpty();
      assertThat(j.nodes()).isEmpty();
      assertThat(j.qos()).isEqualTo(Optional.empty());
    });
    assertThatThrownBy(() -> SlurmJson.jobs("{\"meta\":{}}")).hasMessageContaining("no 'jobs' array");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "n[1-3,5]        | n1 n2 n3 n5",
      "c[08-10],gpu01  | c08 c09 c10 gpu01",
      "n4              | n4",
      "a[1-2],b[7]     | a1 a2 b7",
  })
  void hostListsExpand(String list, String expected) {
    assertThat(HostList.expand(list)).containsExactly(expected.split(" "));
  }

  @Test
  void emptyHostListsAreEmpty() {
    assertThat(HostList.expand("")).isEmpty();
    assertThat(HostList.expand("(null)")).isEmpty();
    assertThatThrownBy(() -> HostList.expand("n[1-")).hasMessageContaining("n[1-");
  }
}
