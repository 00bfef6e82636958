package io.hpcwhisk.slurm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.core.cluster.ClusterAccessException;
import io.hpcwhisk.core.cluster.ClusterObservation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a local user can put into the queue (10,000 jobs, job names with quotes, control characters,
 * JSON and shell fragments, megabyte names) and what a broken Slurm can print (garbage, endless
 * output) never makes a pass throw anything but a {@link ClusterAccessException} nor read without
 * bound; an unchanged answer is not parsed again.
 */
class HostileQueueTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ODD_NAMES =
      List.of(
          "\"}]}, {\"job_id\": 1",
          "hpcw-pilot-5m\u0000\n\r\t",
          "$(rm -rf /); `id`",
          "\u202e\ud83d\ude00 名前 \\\\",
          "x".repeat(1 << 20));

  /** A real 22.05 {@code squeue --json} capture, its jobs multiplied to {@code count}. */
  static String bigQueue(int count) throws Exception {
    ObjectNode doc = (ObjectNode) JSON.readTree(Fixtures.read("slurm-22.05-squeue-window.json"));
    ArrayNode jobs = (ArrayNode) doc.get("jobs");
    ObjectNode template = (ObjectNode) jobs.get(0);
    ArrayNode many = JSON.createArrayNode();
    for (int i = 0; i < count; i++) {
      ObjectNode job = template.deepCopy();
      job.put("job_id", 100_000 + i);
      job.put("name", i < ODD_NAMES.size() ? ODD_NAMES.get(i) : "batch-" + i);
      job.put("user_name", "hpcw-attacker");
      many.add(job);
    }
    doc.set("jobs", many);
    return JSON.writeValueAsString(doc);
  }

  private static SlurmCliClusterView view(RecordedCommandRunner runner) {
    return new SlurmCliClusterView(
        new SlurmCli(
            Optional.of(Path.of("/opt/slurm/bin")),
            Duration.ofSeconds(5),
            runner,
            SlurmCli.CallObserver.NONE),
        InstantSource.fixed(Instant.parse("2026-11-26T00:00:00Z")));
  }

  @Test
  void tenThousandJobsWithOddNamesAreReadAndAnUnchangedAnswerIsNotParsedAgain() throws Exception {
    String queue = bigQueue(10_000);
    var runner =
        new RecordedCommandRunner()
            .answer("sinfo --json", Fixtures.read("slurm-22.05-sinfo-planned.json"))
            .answer("squeue --json", queue)
            .answer("--format=%i|%Y", "");
    SlurmCliClusterView view = view(runner);

    ClusterObservation first = view.observe();
    assertThat(first.jobs()).hasSize(10_000);
    assertThat(first.jobs().get(0).name()).isEqualTo(ODD_NAMES.get(0));
    assertThat(first.jobs().get(1).name()).isEqualTo(ODD_NAMES.get(1));
    assertThat(first.jobs().get(4).name()).hasSize(1 << 20);

    ClusterObservation second = view.observe();
    assertThat(second.jobs())
        .as("the same answer: the lists of the last pass")
        .isSameAs(first.jobs());
    assertThat(second.nodes()).isSameAs(first.nodes());
  }

  @Test
  void garbageAndTruncatedAnswersBecomeAClusterAccessErrorNamingWhatWasWrong() throws Exception {
    String queue = bigQueue(50);
    for (String garbage :
        List.of(
            queue.substring(0, queue.length() / 2),
            "\u0000\u0001\u00ff binary",
            "{\"jobs\": 7}",
            "[".repeat(100_000))) {
      var runner =
          new RecordedCommandRunner()
              .answer("sinfo --json", Fixtures.read("slurm-22.05-sinfo-planned.json"))
              .answer("squeue --json", garbage)
              .answer("--format=%i|%Y", "");
      assertThatThrownBy(() -> view(runner).observe())
          .as("answer starting %s", garbage.substring(0, Math.min(20, garbage.length())))
          .isInstanceOf(ClusterAccessException.class)
          .hasMessageContaining("cannot read Slurm's JSON");
    }
  }

  @Test
  void jobsWithoutAUsableIdAreLeftOut() {
    var runner =
        new RecordedCommandRunner()
            .answer("sinfo --json", Fixtures.read("slurm-22.05-sinfo-planned.json"))
            .answer(
                "squeue --json",
                "{\"jobs\": [{\"job_id\": \"not a number\", \"job_state\": {}}, {\"job_id\":"
                    + " -4}, {}]}")
            .answer("--format=%i|%Y", "");
    assertThat(view(runner).observe().jobs()).isEmpty();
  }

  @Test
  void aCommandPrintingMoreThanTheBoundIsStoppedAndReported() {
    ProcessCommandRunner runner = new ProcessCommandRunner(Map.of(), 1 << 20);
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                runner.run(
                    List.of("sh", "-c", "exec yes 'squeue output that never ends'"),
                    "",
                    Duration.ofSeconds(60)))
        .isInstanceOf(SlurmCommandException.class)
        .hasMessageContaining("printed more than 1048576 bytes");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("stopped when the bound is passed, not at the timeout")
        .isLessThan(Duration.ofSeconds(30));

    CommandRunner.Result ok =
        runner.run(List.of("sh", "-c", "head -c 1048576 /dev/zero"), "", Duration.ofSeconds(60));
    assertThat(ok.stdout()).hasSize(1 << 20);
  }

  @Test
  void endlessStandardErrorIsCutNotCollected() {
    ProcessCommandRunner runner = new ProcessCommandRunner(Map.of(), 1 << 20);
    CommandRunner.Result result =
        runner.run(
            List.of("sh", "-c", "head -c 50000000 /dev/zero >&2; echo done"),
            "",
            Duration.ofSeconds(60));
    assertThat(result.stdout()).isEqualTo("done\n");
    assertThat(result.stderr()).hasSizeLessThan(70_000).endsWith("...(cut)");
  }
}
