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
    "slurm-24.11-sinfo-window.json,         n1, ALLOCATED",
    "slurm-24.11-sinfo-window.json,         n3, PLANNED",
    "slurm-24.11-sinfo-window.v0.0.40.json, n4, PLANNED",
    "slurm-24.11-sinfo-window.v0.0.41.json, n4, PLANNED",
    "slurm-24.11-sinfo-planned.json,        n3, ALLOCATED",
    "slurm-24.11-sinfo-drain.json,          n4, DRAIN",
    "slurm-24.11-sinfo-drain.v0.0.40.json,  n4, DRAIN",
    "slurm-24.11-sinfo-drain.v0.0.41.json,  n3, ALLOCATED",
  })
  void nodeStatesOfEveryShape(String fixture, String node, NodeState expected) {
    assertThat(nodes(fixture).get(node).state()).isEqualTo(expected);
  }

  @Test
  void partitionsAreMergedAcrossSinfoGroups() {
    assertThat(nodes("slurm-24.11-sinfo-window.json").get("n1").partitions())
        .isEqualTo(Set.of("batch", "whisk"));
    assertThat(nodes("slurm-24.11-sinfo-drain.v0.0.40.json").get("n4").partitions())
        .isEqualTo(Set.of("batch", "whisk"));
    assertThat(nodes("slurm-22.05-sinfo-planned.json").get("n1").partitions())
        .isEqualTo(Set.of("batch", "whisk"));
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
    assertThat(pilot.user()).as("user_name: the owner decides what is a pilot").contains("root");
    assertThat(pilot.requiredNodes()).containsExactly("n4");
    assertThat(pilot.timeMin()).contains(Duration.ofMinutes(2));
    assertThat(pilot.nice()).isEqualTo(100);
    assertThat(pilot.qos()).isEmpty();
    assertThat(jobs.get(8L).nice()).as("null nice").isZero();
    assertThat(jobs.get(3L).state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void preemptedPilotsAreReportedAsSuch() {
    assertThat(jobs("slurm-22.05-squeue-after-preemption.json").get(8L).state())
        .isEqualTo(JobState.PREEMPTED);
    Job beingPreempted = jobs("slurm-22.05-squeue-preempting.json").get(8L);
    assertThat(beingPreempted.state()).isEqualTo(JobState.RUNNING);
    assertThat(Duration.between(beingPreempted.startTime().get(), beingPreempted.endTime().get()))
        .as("Slurm pulled the end time in to now + GraceTime")
        .isLessThan(beingPreempted.timeLimit().get());
  }

  @Test
  void aPilotThatLeftWithinTheGraceTimeCountsAsPreempted() {
    Map<Long, Job> jobs = jobs("slurm-22.05-squeue-step-left-in-grace.json");
    assertThat(jobs.get(20L).state())
        .as("COMPLETED with a preempt_time")
        .isEqualTo(JobState.PREEMPTED);
    assertThat(jobs.get(19L).state())
        .as("COMPLETED, never preempted")
        .isEqualTo(JobState.COMPLETED);
    assertThat(jobs.get(20L).preemptTime()).isPresent();
    assertThat(Duration.between(jobs.get(20L).preemptTime().get(), jobs.get(20L).endTime().get()))
        .as("it left within the grace time")
        .isBetween(Duration.ZERO, Duration.ofSeconds(10));
    assertThat(jobs.get(19L).preemptTime()).isEmpty();
  }

  /**
   * Real Slurm 24.11.5 output in each data_parser it offers (see fixtures/README.md for the
   * scenario).
   */
  @ParameterizedTest(name = "data_parser {0}")
  @CsvSource({"'', v0.0.42", ".v0.0.40, v0.0.40", ".v0.0.41, v0.0.41"})
  void realSlurm2411JobsParseInEveryDataParser(String suffix, String parser) {
    Map<Long, Job> jobs = jobs("slurm-24.11-squeue-planned" + suffix + ".json");

    assertThat(jobs.get(1L).state())
        .as("finished jobs are listed with --states=all")
        .isEqualTo(JobState.FAILED);
    Job big = jobs.get(2L);
    assertThat(big.state()).isEqualTo(JobState.RUNNING);
    assertThat(big.nodes()).containsExactly("n1", "n2");
    assertThat(big.timeLimit()).contains(Duration.ofMinutes(3));
    assertThat(big.startTime()).contains(Instant.ofEpochSecond(1796627863));
    Job wide = jobs.get(3L);
    assertThat(wide.state()).isEqualTo(JobState.PENDING);
    assertThat(wide.nodes())
        .as("scheduled_nodes of a pending job")
        .containsExactly("n1", "n2", "n3", "n4");
    assertThat(wide.startTime()).contains(Instant.ofEpochSecond(1796628043));
    Job pilot = jobs.get(4L);
    assertThat(pilot.name()).isEqualTo("hpcw-pilot-2m-n4");
    assertThat(pilot.user()).contains("root");
    assertThat(pilot.requiredNodes()).containsExactly("n4");
    assertThat(pilot.timeMin()).contains(Duration.ofMinutes(2));
    assertThat(pilot.nice()).isEqualTo(100);
    assertThat(pilot.qos()).isEmpty();
    assertThat(jobs.get(5L).timeLimit())
        .as("shrunk by backfill to its time-min")
        .contains(Duration.ofMinutes(2));
    assertThat(jobs.get(6L).nodes()).containsExactly("n4");
    assertThat(SlurmJson.release(Fixtures.read("slurm-24.11-squeue-planned" + suffix + ".json")))
        .contains("24.11.5");
    assertThat(SlurmJson.dataParser(Fixtures.read("slurm-24.11-squeue-planned" + suffix + ".json")))
        .contains(parser);
  }

  @ParameterizedTest(name = "data_parser {0}")
  @CsvSource({"''", ".v0.0.40", ".v0.0.41"})
  void slurm2411PreemptionInEveryDataParser(String suffix) {
    Job beingPreempted = jobs("slurm-24.11-squeue-preempting" + suffix + ".json").get(5L);
    assertThat(beingPreempted.state()).isEqualTo(JobState.RUNNING);
    assertThat(beingPreempted.preemptTime()).contains(Instant.ofEpochSecond(1796627870));
    assertThat(Duration.between(beingPreempted.preemptTime().get(), beingPreempted.endTime().get()))
        .as("Slurm set the end time to preemption + GraceTime")
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(jobs("slurm-24.11-squeue-after-preemption" + suffix + ".json").get(5L).state())
        .isEqualTo(JobState.PREEMPTED);
  }

  @Test
  void releasesAndDataParsersOfEveryShape() {
    assertThat(SlurmJson.release(Fixtures.read("slurm-22.05-squeue-planned.json")))
        .contains("22.05.8");
    assertThat(SlurmJson.dataParser(Fixtures.read("slurm-22.05-squeue-planned.json")))
        .as("OpenAPI v0.0.38")
        .isEmpty();
    assertThat(SlurmJson.dataParser(Fixtures.read("slurm-24.11-sinfo-window.v0.0.41.json")))
        .contains("v0.0.41");
    assertThat(SlurmJson.dataParser("not json")).isEmpty();
  }

  @Test
  void infiniteAndUnsetNumbersAreEmpty() {
    // 24.11 prints {"set":false,"infinite":true} e.g. for sinfo's cpus.per_node.max; no job of the
    // captures has one
    Job job =
        SlurmJson.jobs(
                "{\"jobs\":[{\"job_id\":11,\"job_state\":[\"PENDING\"],"
                    + "\"time_limit\":{\"set\":true,\"infinite\":true,\"number\":0},"
                    + "\"start_time\":{\"set\":false,\"infinite\":false,\"number\":0}}]}")
            .get(0);
    assertThat(job.timeLimit()).as("infinite").isEmpty();
    assertThat(job.startTime()).as("unset").isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json      | is not JSON",
        "[]            | is not a JSON object",
        "{\"meta\":{}} | neither 'nodes' nor 'sinfo'",
      })
  void unusableSinfoOutputIsRefusedWithItsHead(String text, String message) {
    assertThatThrownBy(() -> SlurmJson.nodes(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void missingFieldsTakeEmptyValues() {
    List<Job> jobs =
        SlurmJson.jobs("{\"jobs\":[{\"job_id\":4,\"job_state\":\"WEIRD\"},{\"name\":\"no id\"}]}");

    assertThat(jobs)
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.id()).isEqualTo(new JobId(4));
              assertThat(j.state()).isEqualTo(JobState.OTHER);
              assertThat(j.timeLimit()).isEmpty();
              assertThat(j.nodes()).isEmpty();
              assertThat(j.qos()).isEqualTo(Optional.empty());
            });
    assertThatThrownBy(() -> SlurmJson.jobs("{\"meta\":{}}"))
        .hasMessageContaining("no 'jobs' array");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
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
