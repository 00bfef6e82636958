package io.hpcwhisk.slurm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.PilotShape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PilotJobEnvironmentTest {

  final PilotJobSettings settings =
      new PilotJobSettings(
          "hpcw-pilot",
          Optional.empty(),
          Optional.empty(),
          "/tmp/p-%j.out",
          "#!/bin/bash\nexec true\n",
          List.of(),
          Map.of("HPC_WHISK_GRACE", "10s"));
  final PilotShape shape =
      new PilotShape(
          "whisk", Optional.empty(), Duration.ofMinutes(5), Optional.empty(), 0, Optional.empty());

  @Test
  void everySubmissionExportsAFreshEnvironment() {
    var runner = new RecordedCommandRunner().answer("sbatch", "17\n");
    var cli =
        new SlurmCli(
            Optional.of(Path.of("/opt/slurm/bin")),
            Duration.ofSeconds(5),
            runner,
            (command, took, ok) -> {});
    AtomicInteger n = new AtomicInteger();
    var launcher =
        new SlurmCliPilotLauncher(
            cli,
            settings,
            () ->
                Map.of(
                    "HPC_WHISK_PILOT_TOKEN_FILE",
                    "/data/pilot-tokens/" + n.incrementAndGet() + ".token",
                    "HPC_WHISK_BALANCER_URL",
                    "ws://127.0.0.1:3233/pilot/v1"));

    launcher.submit(shape);
    launcher.submit(shape);

    assertThat(runner.calls()).hasSize(2);
    // one --export: the configured environment and this submission's
    assertThat(runner.calls().get(0))
        .containsOnlyOnce(
            "--export=ALL,HPC_WHISK_BALANCER_URL=ws://127.0.0.1:3233/pilot/v1,"
                + "HPC_WHISK_GRACE=10s,HPC_WHISK_PILOT_TOKEN_FILE=/data/pilot-tokens/1.token")
        .filteredOn(a -> a.startsWith("--export"))
        .hasSize(1);
    assertThat(runner.calls().get(1))
        .contains(
            "--export=ALL,HPC_WHISK_BALANCER_URL=ws://127.0.0.1:3233/pilot/v1,"
                + "HPC_WHISK_GRACE=10s,HPC_WHISK_PILOT_TOKEN_FILE=/data/pilot-tokens/2.token");
    assertThat(runner.stdins().get(0)).isEqualTo(settings.script());
  }

  @Test
  void withoutAPerJobEnvironmentOnlyTheConfiguredOneIsExported() {
    var runner = new RecordedCommandRunner().answer("sbatch", "18\n");
    var cli =
        new SlurmCli(Optional.empty(), Duration.ofSeconds(5), runner, (command, took, ok) -> {});
    new SlurmCliPilotLauncher(cli, settings).submit(shape);
    assertThat(runner.calls().get(0))
        .filteredOn(a -> a.startsWith("--export"))
        .containsExactly("--export=ALL,HPC_WHISK_GRACE=10s");
  }

  /** A hand-off that records what the launcher tells it. */
  static final class RecordingHandOff implements PilotJobHandOff {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public Prepared prepare() {
      int n = events.size();
      return new Prepared() {
        @Override
        public Map<String, String> environment() {
          return Map.of("HPC_WHISK_PILOT_TOKEN_FILE", "/t/" + n);
        }

        @Override
        public void submitted(JobId id, Duration timeLimit) {
          events.add("submitted " + id + " " + timeLimit);
        }

        @Override
        public void failed() {
          events.add("failed /t/" + n);
        }
      };
    }
  }

  @Test
  void theHandOffLearnsTheJobIdAndLimitOrThatSbatchFailed() {
    var handOff = new RecordingHandOff();
    var ok =
        new SlurmCli(
            Optional.empty(),
            Duration.ofSeconds(5),
            new RecordedCommandRunner().answer("sbatch", "21\n"),
            (command, took, good) -> {});
    new SlurmCliPilotLauncher(ok, settings, handOff).submit(shape);
    var failing =
        new SlurmCli(
            Optional.empty(),
            Duration.ofSeconds(5),
            new RecordedCommandRunner()
                .answer(
                    "sbatch",
                    new CommandRunner.Result(
                        1, "", "sbatch: error: Memory specification can not be satisfied")),
            (command, took, good) -> {});
    assertThatThrownBy(() -> new SlurmCliPilotLauncher(failing, settings, handOff).submit(shape))
        .isInstanceOf(SlurmCommandException.class);
    assertThat(handOff.events).containsExactly("submitted 21 PT5M", "failed /t/1");
  }

  @Test
  void aFailedSbatchNamesNoSecretLookingExportValue() {
    var runner =
        new RecordedCommandRunner()
            .answer(
                "sbatch",
                new CommandRunner.Result(
                    1, "", "sbatch: error: Memory specification can not be satisfied"));
    var cli =
        new SlurmCli(Optional.empty(), Duration.ofSeconds(5), runner, (command, took, ok) -> {});
    var leaky =
        new PilotJobSettings(
            "hpcw-pilot",
            Optional.empty(),
            Optional.empty(),
            "/tmp/p-%j.out",
            "#!/bin/bash\nexec true\n",
            List.of("--mem=999999"),
            Map.of("SITE_API_KEY", "s3cr3t", "HPC_WHISK_GRACE", "10s"));
    assertThatThrownBy(
            () ->
                new SlurmCliPilotLauncher(
                        cli,
                        leaky,
                        () ->
                            Map.of(
                                "HPC_WHISK_PILOT_TOKEN",
                                "sub-x.MAC",
                                "HPC_WHISK_PILOT_TOKEN_FILE",
                                "/t/1"))
                    .submit(shape))
        .hasMessageContaining("--mem=999999")
        .hasMessageContaining("HPC_WHISK_PILOT_TOKEN_FILE=/t/1")
        .hasMessageContaining("SITE_API_KEY=***")
        .hasMessageContaining("HPC_WHISK_PILOT_TOKEN=***")
        .hasMessageNotContaining("s3cr3t")
        .hasMessageNotContaining("sub-x.MAC")
        .satisfies(
            e -> assertThat(((SlurmCommandException) e).commandLine()).doesNotContain("s3cr3t"));
  }

  @Test
  void aValueWithACommaIsRefusedWithItsName() {
    assertThatThrownBy(() -> SlurmCliPilotLauncher.exportOption(Map.of("X", "a,b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X")
        .hasMessageContaining("a,b");
  }
}
