package io.hpcwhisk.slurm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.slurm.SlurmAccessException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlurmCliTest {

  /** 100 s before job 12 (`wide`) of the window capture is expected to start (at 1795741723). */
  static final Instant CAPTURED = Instant.ofEpochSecond(1795741623);

  final List<String> observed = new ArrayList<>();

  SlurmCli cli(CommandRunner runner) {
    return new SlurmCli(
        Optional.of(Path.of("/opt/slurm/bin")),
        Duration.ofSeconds(5),
        runner,
        (command, took, ok) -> observed.add(command + ":" + ok));
  }

  @Test
  void aRealSlurm2205WindowBecomesPlannedNodesWithTheirWindow() {
    var runner =
        new RecordedCommandRunner()
            .answer("sinfo --json", Fixtures.read("slurm-22.05-sinfo-planned.json"))
            .answer("squeue --json", Fixtures.read("slurm-22.05-squeue-window.json"))
            .answer("--format=%i|%Y", Fixtures.read("slurm-22.05-squeue-window-schednodes.txt"));
    var view = new SlurmCliClusterView(cli(runner), InstantSource.fixed(CAPTURED));

    ClusterObservation observation = view.observe();
    var snapshot =
        new SnapshotBuilder(HarvestTarget.partition("whisk"), "hpcw-pilot").build(observation);

    assertThat(snapshot.node("n3").orElseThrow().state()).isEqualTo(NodeState.PLANNED);
    assertThat(snapshot.node("n3").orElseThrow().window().orElseThrow().length())
        .contains(Duration.ofSeconds(100));
    assertThat(snapshot.node("n1").orElseThrow().window()).isEmpty();
    assertThat(snapshot.boundedWindowCount()).isEqualTo(2);
    assertThat(runner.calls())
        .extracting(c -> c.get(0))
        .containsExactly("/opt/slurm/bin/sinfo", "/opt/slurm/bin/squeue", "/opt/slurm/bin/squeue");
    assertThat(observed).containsExactly("sinfo:true", "squeue:true", "squeue:true");
  }

  @Test
  void slurm2411JsonNeedsNoExtraSqueueForScheduledNodesAndGetsItsDataParserPinned() {
    var runner =
        new RecordedCommandRunner()
            .answer("sinfo --json", Fixtures.read("slurm-24.11-sinfo-window.json"))
            .answer("squeue --json", Fixtures.read("slurm-24.11-squeue-window.json"));
    var cli = cli(runner);
    var view = new SlurmCliClusterView(cli, InstantSource.fixed(Instant.ofEpochSecond(1796627943)));

    ClusterObservation observation = view.observe();
    var snapshot =
        new SnapshotBuilder(HarvestTarget.partition("whisk"), "hpcw-pilot").build(observation);
    view.observe();

    assertThat(runner.calls())
        .extracting(c -> String.join(" ", c.subList(1, c.size())))
        .containsExactly(
            "--json",
            "--json=v0.0.42 --states=all",
            "--json=v0.0.42",
            "--json=v0.0.42 --states=all");
    assertThat(
            observation.jobs().stream()
                .filter(j -> j.id().value() == 3)
                .findFirst()
                .orElseThrow()
                .nodes())
        .containsExactly("n1", "n2", "n3", "n4");
    assertThat(snapshot.node("n3").orElseThrow().state()).isEqualTo(NodeState.PLANNED);
    assertThat(snapshot.node("n3").orElseThrow().window().orElseThrow().length())
        .contains(Duration.ofSeconds(100));
  }

  @Test
  void slurm2205StaysOnPlainJson() {
    var runner =
        new RecordedCommandRunner()
            .answer("sinfo --json", Fixtures.read("slurm-22.05-sinfo-planned.json"));
    var cli = cli(runner);
    cli.sinfoJson();
    cli.sinfoJson();

    assertThat(cli.jsonOption()).isEqualTo("--json");
    assertThat(runner.calls()).extracting(c -> c.get(1)).containsExactly("--json", "--json");
  }

  @Test
  void aRefusedPinnedDataParserIsLearnedAgain() {
    var runner =
        new RecordedCommandRunner()
            .answer("sinfo --json", Fixtures.read("slurm-24.11-sinfo-window.json"));
    var cli = cli(runner);
    cli.sinfoJson();
    assertThat(cli.jsonOption()).isEqualTo("--json=v0.0.42");
    runner.answer(
        "sinfo --json=v0.0.42",
        new CommandRunner.Result(1, "", "sinfo: error: unknown data_parser v0.0.42\n"));

    assertThatThrownBy(cli::sinfoJson)
        .isInstanceOf(SlurmCommandException.class)
        .hasMessageContaining("sinfo --json=v0.0.42")
        .hasMessageContaining("unknown data_parser v0.0.42");
    assertThat(cli.jsonOption()).as("the next call asks Slurm's default again").isEqualTo("--json");
  }

  @Test
  void jsonOfAnUnknownShapeNamesTheSlurmVersionThatPrintedIt() {
    String future =
        "{\"meta\":{\"plugin\":{\"data_parser\":\"data_parser/v0.0.47\"},"
            + "\"slurm\":{\"release\":\"27.05.1\"}},\"partitions_v2\":[]}";
    var runner =
        new RecordedCommandRunner().answer("sinfo --json", future).answer("squeue --json", future);

    assertThatThrownBy(
            () -> new SlurmCliClusterView(cli(runner), InstantSource.fixed(CAPTURED)).observe())
        .hasMessageContaining("neither 'nodes' nor 'sinfo'")
        .hasMessageContaining(
            "(Slurm 27.05.1, data_parser v0.0.47; this HPC-Whisk reads Slurm 22.05's JSON and "
                + "data_parser v0.0.40, v0.0.41, v0.0.42)")
        .isInstanceOfSatisfying(
            SlurmAccessException.class,
            e ->
                Assertions.assertThat(e.reason())
                    .as("counted as hpcwhisk.slurm.errors{reason=version}")
                    .isEqualTo(SlurmAccessException.Reason.VERSION));
  }

  @ParameterizedTest
  @CsvSource({
    "v0.0.39, --json",
    "v0.0.40, --json=v0.0.40",
    "v0.0.41, --json=v0.0.41",
    "v0.0.42, --json=v0.0.42",
    "v0.0.43, --json=v0.0.42",
    "v0.0.44, --json=v0.0.42",
    "vX, --json"
  })
  void theDataParserIsPinnedToOneTheAdapterReads(String slurmDefault, String option) {
    assertThat(SlurmCli.pinned(slurmDefault)).isEqualTo(option);
  }

  @Test
  void aFailingCommandNamesItsLineExitCodeAndStderrTail() {
    var runner =
        new RecordedCommandRunner()
            .answer(
                "sinfo",
                new CommandRunner.Result(
                    1, "", "sinfo: error: Unable to contact slurm controller (connect failure)\n"));

    assertThatThrownBy(() -> cli(runner).sinfoJson())
        .isInstanceOf(SlurmCommandException.class)
        .hasMessage(
            "`/opt/slurm/bin/sinfo --json` failed (exit code 1): stderr: sinfo: error: Unable to"
                + " contact slurm controller (connect failure)");
    assertThat(observed).containsExactly("sinfo:false");
  }

  @Test
  void unreadableJsonIsAClusterAccessFailure() {
    var runner =
        new RecordedCommandRunner().answer("sinfo --json", "garbage").answer("squeue --json", "{}");

    assertThatThrownBy(
            () -> new SlurmCliClusterView(cli(runner), InstantSource.fixed(CAPTURED)).observe())
        .hasMessageStartingWith("cannot read Slurm's JSON: sinfo --json output is not JSON");
  }

  @Test
  void sbatchGetsEveryOptionAndTheScriptOnStdin() {
    var runner = new RecordedCommandRunner().answer("sbatch", "4711\n");
    var settings =
        new PilotJobSettings(
            "hpcw-pilot",
            Optional.of("whisk-acct"),
            Optional.of("B:TERM@60"),
            "/tmp/pilot-%j.out",
            "#!/bin/sh\nexec sleep 1\n",
            List.of("--exclusive"),
            Map.of(
                "HPC_WHISK_PILOT_TOKEN",
                "t0k",
                "HPC_WHISK_BALANCER_URL",
                "ws://127.0.0.1:3233/pilot/v1"));
    var launcher = new SlurmCliPilotLauncher(cli(runner), settings);
    var shape =
        new PilotShape(
            "whisk",
            Optional.of("lowprio"),
            Duration.ofSeconds(330),
            Optional.of(Duration.ofMinutes(2)),
            100,
            Optional.of("n3"));

    JobId id = launcher.submit(shape);

    assertThat(id).isEqualTo(new JobId(4711));
    assertThat(runner.calls().get(0))
        .containsExactly(
            "/opt/slurm/bin/sbatch",
            "--parsable",
            "--job-name=hpcw-pilot-5m-n3",
            "--partition=whisk",
            "--qos=lowprio",
            "--account=whisk-acct",
            "--nodes=1",
            "--time=5",
            "--time-min=2",
            "--nice=100",
            "--nodelist=n3",
            "--signal=B:TERM@60",
            "--output=/tmp/pilot-%j.out",
            "--export=ALL,HPC_WHISK_BALANCER_URL=ws://127.0.0.1:3233/pilot/v1,HPC_WHISK_PILOT_TOKEN=t0k",
            "--exclusive");
    assertThat(runner.stdins().get(0)).isEqualTo("#!/bin/sh\nexec sleep 1\n");
  }

  @Test
  void sbatchWithoutAJobIdFails() {
    var runner = new RecordedCommandRunner().answer("sbatch", "Submitted batch job\n");

    assertThatThrownBy(() -> cli(runner).sbatch(List.of("-p", "whisk"), "#!/bin/sh\n"))
        .hasMessageContaining("`/opt/slurm/bin/sbatch --parsable -p whisk` printed no job id");
  }

  @Test
  void cancellingAFinishedJobIsNotAnError() {
    var runner =
        new RecordedCommandRunner()
            .answer(
                "scancel 5",
                new CommandRunner.Result(
                    1,
                    "",
                    "scancel: error: Kill job error on job id 5: Job/step already completing or"
                        + " completed"))
            .answer(
                "scancel 6",
                new CommandRunner.Result(1, "", "scancel: error: Access/permission denied"));

    cli(runner).scancel(new JobId(5));
    assertThatThrownBy(() -> cli(runner).scancel(new JobId(6)))
        .hasMessageContaining("permission denied")
        .hasMessageContaining("exit code 1");
  }

  @Test
  void aHangingCommandTimesOut() {
    var cli =
        new SlurmCli(
            Optional.empty(),
            Duration.ofMillis(300),
            new ProcessCommandRunner(Map.of()),
            SlurmCli.CallObserver.NONE);

    // `sleep` stands in for a Slurm command that hangs (controller unreachable).
    assertThatThrownBy(
            () ->
                new SlurmCli(
                        Optional.of(Path.of("/bin")),
                        Duration.ofMillis(300),
                        new ProcessCommandRunner(Map.of()),
                        SlurmCli.CallObserver.NONE)
                    .sbatch(List.of(), "#!/bin/sh\n"))
        .isInstanceOf(SlurmCommandException.class);
    assertThatThrownBy(
            () ->
                new ProcessCommandRunner(Map.of())
                    .run(List.of("sleep", "5"), "", Duration.ofMillis(300)))
        .hasMessage("`sleep 5` timed out after 300 ms");
    assertThatThrownBy(() -> cli.scancel(new JobId(1)))
        .satisfies(e -> assertThat(e).isInstanceOf(SlurmCommandException.class));
  }
}
