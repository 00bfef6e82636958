package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.balancer.pilots.PilotJobVerifier;
import io.hpcwhisk.balancer.pilots.PilotSubmissions;
import io.hpcwhisk.balancer.store.MvPilotBindingStore;
import io.hpcwhisk.balancer.store.MvStoreDatabase;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.slurm.cli.SlurmCliPilotLauncher;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemServerTest {

  @TempDir Path dir;

  ServerConfig config(String executor) {
    return ServerConfig.DEFAULT
        .withApi(ServerConfig.DEFAULT.api().withPort(0).withExecutor(executor))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()));
  }

  @Test
  void pilotJobsGetTheBalancerAFreshCredentialFileAndTheHomeAndTheCredentialIsBoundToTheirJob()
      throws Exception {
    var data = dir.resolve("data");
    var credentials = WhiskServer.pilotCredentials(config("pilots"));
    try (var db = MvStoreDatabase.open(data)) {
      var submissions =
          new PilotSubmissions(
              credentials,
              MvPilotBindingStore.open(db),
              PilotJobVerifier.unverified("unit test"),
              data.resolve("pilot-tokens"),
              InstantSource.system());
      var handOff = SystemServer.handOff("ws://127.0.0.1:1/pilot/v1", submissions, dir);

      var first = handOff.prepare();
      var second = handOff.prepare();
      assertThat(first.environment())
          .containsEntry("HPC_WHISK_BALANCER_URL", "ws://127.0.0.1:1/pilot/v1")
          .containsEntry("HPC_WHISK_HOME", dir.toString())
          .doesNotContainKey("HPC_WHISK_PILOT_TOKEN");
      Path firstFile = Path.of(first.environment().get("HPC_WHISK_PILOT_TOKEN_FILE"));
      Path secondFile = Path.of(second.environment().get("HPC_WHISK_PILOT_TOKEN_FILE"));
      String token = Files.readString(firstFile).strip();
      assertThat(token).isNotEqualTo(Files.readString(secondFile).strip());
      assertThat(String.join(",", first.environment().values())).doesNotContain(token);
      assertThat(credentials.verify(token)).isPresent();

      first.submitted(new JobId(4711), Duration.ofMinutes(5));
      second.failed();
      assertThat(submissions.bindings())
          .singleElement()
          .satisfies(
              b -> {
                assertThat(b.jobId()).isEqualTo("4711");
                assertThat(b.scope()).isEqualTo(PilotCredentials.scopeOf(token));
              });
      assertThat(secondFile).doesNotExist();

      // several servers' URLs reach the job space-separated: sbatch's --export splits on commas
      var several =
          SystemServer.handOff(
                  "ws://10.0.0.1:1/pilot/v1, ws://10.0.0.2:1/pilot/v1", submissions, dir)
              .prepare();
      assertThat(several.environment())
          .containsEntry(
              "HPC_WHISK_BALANCER_URL", "ws://10.0.0.1:1/pilot/v1 ws://10.0.0.2:1/pilot/v1");
      assertThat(SlurmCliPilotLauncher.exportOption(several.environment()))
          .get()
          .asString()
          .contains("HPC_WHISK_BALANCER_URL=ws://10.0.0.1:1/pilot/v1 ws://10.0.0.2:1/pilot/v1,");
      several.failed();
    }
  }

  @Test
  void thePlaceholderPilotIsReplacedByTheRealOneButAChosenScriptIsKept() {
    assertThat(SystemServer.withRealPilot(HarvestConfig.defaults()).harvest().pilotJob().script())
        .isEqualTo(Path.of("config/pilot.sbatch"));
    HarvestConfig custom =
        HarvestConfig.parse("harvest:\n  pilot-job:\n    script: /opt/site/pilot.sh\n");
    assertThat(SystemServer.withRealPilot(custom).harvest().pilotJob().script())
        .isEqualTo(Path.of("/opt/site/pilot.sh"));
  }

  @Test
  void theControllerIsTurnedOffByTheOptionOrTheConfigurationAndThePolicyOptionWins()
      throws Exception {
    Path off = Files.writeString(dir.resolve("off.yaml"), "harvest:\n  enabled: false\n");
    Path on = Files.writeString(dir.resolve("on.yaml"), "harvest:\n  policy: fib\n");
    assertThat(ServerCommand.harvestConfig(off, true, null)).isEmpty();
    assertThat(ServerCommand.harvestConfig(on, false, null)).isEmpty();
    assertThat(ServerCommand.harvestConfig(on, true, null))
        .get()
        .extracting(c -> c.harvest().policy())
        .isEqualTo("fib");
    assertThat(ServerCommand.harvestConfig(on, true, "adaptive"))
        .get()
        .extracting(c -> c.harvest().policy())
        .isEqualTo("adaptive");
    assertThat(ServerCommand.harvestConfig(null, true, null))
        .get()
        .extracting(c -> c.harvest().policy())
        .isEqualTo("adaptive");
  }

  @Test
  void withPilotsTheControllerRunsInTheServerAndItsMetricsAreOnTheServersRegistry()
      throws Exception {
    // dry run against a Slurm that is not there: the passes fail, are counted, and the loop goes on
    HarvestConfig harvest =
        HarvestConfig.parse(
            "slurm:\n  bin-dir: "
                + dir.resolve("no-slurm")
                + "\n"
                + "harvest:\n  dry-run: true\n  interval: 100ms\n");
    Path home =
        Path.of("")
            .toAbsolutePath()
            .getParent(); // the checkout: config/pilot.sbatch is read from it
    try (SystemServer system =
        SystemServer.start(config("pilots"), Optional.of(harvest), home, "test", r -> {})) {
      assertThat(system.controller()).isPresent();
      system.controller().get().runOnce();
      String scrape = system.server().meters().scrape();
      assertThat(scrape)
          .contains("hpcwhisk_harvest_passes_total")
          .contains("hpcwhisk_slurm_up")
          .contains("whisk_queue_length")
          // one server on the embedded store: its controller always leads
          .contains("hpcwhisk_controller_leader 1.0");
      assertThat(system.election()).isEmpty();
    }
  }

  @Test
  void withAnotherExecutorThereIsNoController() throws Exception {
    try (SystemServer system =
        SystemServer.start(
            config("none"), Optional.of(HarvestConfig.defaults()), dir, "test", r -> {})) {
      assertThat(system.controller()).isEmpty();
    }
  }
}
