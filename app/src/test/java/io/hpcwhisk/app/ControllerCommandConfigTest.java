package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.slurm.controller.HarvestConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code controller run}'s options over the file: each option changes its value and nothing else.
 */
class ControllerCommandConfigTest {

  @TempDir Path dir;

  @Test
  void optionsOverrideTheFileAndKeepEveryOtherValue() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("c.yaml"),
            """
            slurm: {partition: whisk, qos: gold, command-timeout: 7s}
            harvest:
              policy: adaptive
              params: {max-pending: 9}
              max-submissions-per-pass: 4
              expedite-preemption: true
              pilot-job: {name-prefix: p, extra-options: [--exclusive]}
            """);
    ControllerCommand.Run run = new ControllerCommand.Run();
    new CommandLine(run)
        .parseArgs(
            "--config",
            file.toString(),
            "--policy",
            "fib",
            "--param",
            "pending-per-length=3",
            "--partition",
            "other",
            "--interval",
            "2s",
            "--dry-run");

    HarvestConfig c = run.effectiveConfig(dir);

    HarvestConfig file0 = HarvestConfig.load(file);
    assertThat(c.slurm()).isEqualTo(file0.slurm().with(HarvestConfig.Slurm::partition, "other"));
    assertThat(c.harvest().policy()).isEqualTo("fib");
    assertThat(c.harvest().params()).isEqualTo(Map.of("pending-per-length", "3"));
    assertThat(c.harvest().interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.harvest().dryRun()).isTrue();
    assertThat(c.harvest().maxSubmissionsPerPass()).isEqualTo(4);
    assertThat(c.harvest().expeditePreemption()).isTrue();
    assertThat(c.harvest().pilotJob()).isEqualTo(file0.harvest().pilotJob());
  }

  @Test
  void upAndTheServerChangeOnlyTheValuesTheyMeanToChange() {
    Path conf = dir.resolve("slurm.conf");
    HarvestConfig up =
        UpSession.harvestConfig(
            new UpSession.Settings(dir, 2, 0, "fib", 1, false, Duration.ofSeconds(30), dir), conf);
    HarvestConfig defaults = HarvestConfig.defaults();
    assertThat(up.slurm())
        .isEqualTo(defaults.slurm().with(HarvestConfig.Slurm::conf, Optional.of(conf)));
    assertThat(up.harvest().policy()).isEqualTo("fib");
    assertThat(up.harvest().params()).isEmpty();
    assertThat(up.harvest().interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(up.harvest().maxSubmissionsPerPass())
        .isEqualTo(defaults.harvest().maxSubmissionsPerPass());
    assertThat(up.harvest().pilotJob().script()).isEqualTo(SystemServer.REAL_PILOT_SCRIPT);
    assertThat(up.harvest().pilotJob().output())
        .isEqualTo(dir.resolve("pilots/pilot-%j.out").toString());
    assertThat(up.harvest().pilotJob().namePrefix())
        .isEqualTo(defaults.harvest().pilotJob().namePrefix());
    HarvestConfig real = SystemServer.withRealPilot(defaults);
    assertThat(real)
        .isEqualTo(
            defaults.with(
                HarvestConfig::harvest,
                defaults
                    .harvest()
                    .with(
                        HarvestConfig.Harvest::pilotJob,
                        defaults
                            .harvest()
                            .pilotJob()
                            .with(
                                HarvestConfig.PilotJob::script, SystemServer.REAL_PILOT_SCRIPT))));
  }

  @Test
  void thePilotCommandReportsABadPilotSectionAsOneLineBeforeItStarts() throws Exception {
    StringWriter err = new StringWriter();
    CommandLine cli = HpcWhisk.commandLine();
    cli.setErr(new PrintWriter(err, true));
    Path file = Files.writeString(dir.resolve("c.yaml"), "pilot:\n  grace: soon\n");
    assertThat(cli.execute("pilot", "--config", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "hpc-whisk pilot: pilot.grace: \"soon\" is not a duration (expected e.g. 5s,"
                + " 1m)"
                + System.lineSeparator());
  }

  @Test
  void aMissingConfigFileIsAConfigurationError() {
    StringWriter err = new StringWriter();
    CommandLine cli = HpcWhisk.commandLine();
    cli.setErr(new PrintWriter(err, true));
    Path missing = dir.resolve("none.yaml");
    assertThat(
            cli.execute("controller", "run", "--config", missing.toString(), "--once", "--dry-run"))
        .isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "hpc-whisk controller run: --config "
                + missing
                + " is not a readable file"
                + System.lineSeparator());
  }

  @Test
  void aBadParameterForTheChosenPolicyIsOneLineAndExit2() throws Exception {
    StringWriter err = new StringWriter();
    CommandLine cli = HpcWhisk.commandLine();
    cli.setErr(new PrintWriter(err, true));
    Path file = Files.writeString(dir.resolve("c.yaml"), "harvest: {policy: adaptive}\n");
    int code =
        cli.execute(
            "controller",
            "run",
            "--config",
            file.toString(),
            "--policy",
            "fib",
            "--param",
            "max-pending=3",
            "--once",
            "--dry-run");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "hpc-whisk controller run: harvest.params.max-pending: unknown key for policy fib;"
                + " expected some of [ladder, pending-per-length]")
        .doesNotContain("\tat ");
  }
}
