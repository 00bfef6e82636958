package io.hpcwhisk.slurm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.slurm.SlurmAccessException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The filtered view ({@link SlurmCliFilteredView}) against what a local user can put in the queue
 * and what a broken Slurm can print: lines that are not Slurm's are skipped, counted and named in
 * one log line, the rest is read; an answer with no readable line fails the pass as GARBAGE (the
 * controller then keeps its pilots: {@code SlurmFaultPassTest}); the commands are the lean ones
 * (partition and state filters, the 16 fields), two a pass.
 */
class FilteredViewHostileTest {

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void attach() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(SlurmCliFilteredView.class)).addAppender(logs);
  }

  @AfterEach
  void detach() {
    ((Logger) LoggerFactory.getLogger(SlurmCliFilteredView.class)).detachAppender(logs);
  }

  private static SlurmCliFilteredView view(RecordedCommandRunner runner) {
    return new SlurmCliFilteredView(
        new SlurmCli(
            Optional.of(Path.of("/opt/slurm/bin")),
            Duration.ofSeconds(5),
            runner,
            SlurmCli.CallObserver.NONE),
        InstantSource.fixed(Instant.parse("2026-12-07T17:00:00Z")),
        new NodeGres(),
        "whisk",
        PilotOwner.of("hpcw-pilot-", "root"));
  }

  /**
   * A cluster whose {@code squeue} prints {@code framedLines} framed by the mark of each call (as
   * Slurm does), then {@code rawLines} as they are (what a broken Slurm or a forger adds).
   */
  private static RecordedCommandRunner cluster(String framedLines, String rawLines) {
    return new RecordedCommandRunner() {
      @Override
      public Result run(List<String> command, String stdin, Duration timeout) {
        Result result = super.run(command, stdin, timeout);
        for (String arg : command) {
          if (arg.startsWith("--Format=Cluster:")) {
            String mark = arg.substring("--Format=Cluster:".length(), arg.indexOf(','));
            return new Result(0, rawLines + SlurmLinesTest.framed(framedLines, mark), "");
          }
        }
        return result;
      }
    }.answer("--Node --responding", Fixtures.read("slurm-22.05-sinfo-preempted-lines.txt"))
        .answer("--format=%R|%N", "batch|n[1-4]\nwhisk|n[1-4]\nother|m[1-100]\n");
  }

  private static RecordedCommandRunner cluster(String squeue) {
    return cluster(squeue, "");
  }

  @Test
  void readsOnlyTheSharingPartitionsWithTwoCallsAPassAndDoesNotParseAnUnchangedAnswer() {
    var runner = cluster(Fixtures.read("slurm-22.05-squeue-preempted-lines.txt"));
    SlurmCliFilteredView view = view(runner);
    ClusterObservation first = view.observe();
    assertThat(view.lastPassCalls()).as("sinfo, the partition map, squeue").isEqualTo(3);
    assertThat(first.jobs()).hasSize(8);
    assertThat(first.nodes()).hasSize(4);
    List<String> squeue =
        runner.calls().stream()
            .filter(c -> c.contains("/opt/slurm/bin/squeue"))
            .findFirst()
            .orElseThrow();
    assertThat(squeue)
        .startsWith("env", "SLURM_TIME_FORMAT=%s", "/opt/slurm/bin/squeue")
        .contains("--noheader", "--states=all", "--partition=whisk,batch")
        .anyMatch(a -> a.startsWith("--Format=Cluster:m") && a.contains(",JobID:|,"));
    assertThat(runner.calls().get(0))
        .containsExactly(
            "/opt/slurm/bin/sinfo",
            "--noheader",
            "--Node",
            "--responding",
            "--partition=whisk",
            "--format=%N|%T|%R|%G");

    ClusterObservation second = view.observe();
    assertThat(view.lastPassCalls()).as("sinfo and squeue").isEqualTo(2);
    assertThat(second.jobs()).isSameAs(first.jobs());
    assertThat(second.nodes()).isSameAs(first.nodes());
  }

  @Test
  void garbageLinesAreSkippedCountedAndLoggedOnceTheRestIsRead() {
    String real = Fixtures.read("slurm-22.05-squeue-preempted-lines.txt");
    String raw = "garbage without separators\n" + "\u0000\u0001\u00ff|binary\n";
    String hostile =
        "99999999999999999999999|batch|(null)|PENDING||||0|N/A|N/A|5:00|0:00|0|N/A|root|x\n"
            + "12|batch|(null)|PENDING||||0|N/A|N/A|not-a-time|0:00|0|N/A|root|x\n"
            + "13|batch|(null)|PENDING||n[1-||0|N/A|N/A|5:00|0:00|0|N/A|root|x\n"
            + "14|batch|(null)|PENDING||||0|N/A|N/A|5:00|0:00|0|N/A|root|"
            + "y".repeat(SlurmLines.MAX_LINE)
            + "\n"
            + real;
    SlurmCliFilteredView view = view(cluster(hostile, raw));
    ClusterObservation seen = view.observe();
    assertThat(seen.jobs()).extracting(j -> j.id().value()).contains(8L, 3L, 2L);
    assertThat(seen.jobs()).hasSize(8);
    assertThat(view.garbageLines()).isEqualTo(6);
    assertThat(logs.list).hasSize(1);
    assertThat(logs.list.get(0).getFormattedMessage())
        .contains("skipped 6 of 16 lines", "first: 'garbage without separators'");

    view.observe();
    assertThat(logs.list).as("the same answer: not parsed, not logged again").hasSize(1);
  }

  @Test
  void anAnswerWithNoReadableLineFailsThePassAsGarbage() {
    for (String garbage :
        List.of("<html>502 Bad Gateway</html>\n", "{\"jobs\": []}\n", "a|b|c\n".repeat(1000))) {
      SlurmCliFilteredView view = view(cluster("", garbage));
      assertThatThrownBy(view::observe)
          .isInstanceOfSatisfying(
              SlurmAccessException.class,
              e -> assertThat(e.reason()).isEqualTo(SlurmAccessException.Reason.GARBAGE))
          .hasMessageContaining("cannot read squeue --Format=JobID,")
          .hasMessageContaining("none of its");
    }
  }

  @Test
  void anEmptyQueueIsNotGarbageAndABrokenPartitionMapDropsThePartitionFilter() {
    var runner =
        new RecordedCommandRunner()
            .answer("--Node --responding", Fixtures.read("slurm-22.05-sinfo-window-lines.txt"))
            .answer("--format=%R|%N", "batch|n[1-\n")
            .answer("squeue", "");
    // an empty queue: nothing to frame
    SlurmCliFilteredView view = view(runner);
    assertThat(view.observe().jobs()).isEmpty();
    List<String> squeue =
        runner.calls().stream().filter(c -> c.get(2).endsWith("squeue")).findFirst().orElseThrow();
    assertThat(squeue).noneMatch(a -> a.startsWith("--partition"));
    assertThat(view.garbageLines()).isEqualTo(1);
  }

  @Test
  void finishedJobsOfOthersAndImpostorNamesAreNotKeptAsPilots() {
    String queue =
        "20|whisk|(null)|PREEMPTED|n1|(null)||1|1|2|5:00|0:00|0|2|hpcw-attacker|hpcw-pilot-fake\n"
            + "21|whisk|(null)|RUNNING|n2|(null)||1|1|2|5:00|0:00|0|N/A|hpcw-attacker|hpcw-pilot-x\n"
            + "22|whisk|(null)|COMPLETED|n3|(null)||1|1|2|5:00|0:00|0|N/A|root|hpcw-pilot-ok\n";
    List<Job> jobs = view(cluster(queue)).observe().jobs();
    assertThat(jobs)
        .as("the impostor's finished job is dropped, its running one kept (it holds a node)")
        .extracting(j -> j.id().value())
        .containsExactly(21L, 22L);
  }
}
