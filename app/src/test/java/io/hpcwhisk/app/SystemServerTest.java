package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemServerTest {

  @TempDir Path dir;

  ServerConfig config(String executor) {
    return ServerConfig.DEFAULT.withApi(ServerConfig.DEFAULT.api().withPort(0).withExecutor(executor))
        .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.resolve("data").toString()));
  }

  @Test
  void pilotJobsGetTheBalancerAFreshCredentialTheServerAcceptsAndTheHome() {
    var credentials = WhiskServer.pilotCredentials(config("pilots"));
    var env = SystemServer.pilotEnvironment("ws://127.0.0.1:1/pilot/v1", credentials::forSubmission, dir);

    Map<String, String> first = env.get();
    Map<String, String> second = env.get();

    assertThat(first).containsEntry("HPC_WHISK_BALANCER_URL", "ws://127.0.0.1:1/pilot/v1")
        .containsEntry("HPC_WHISK_HOME", dir.toString());
    assertThat(first.get("HPC_WHISK_PILOT_TOKEN")).isNotEqualTo(second.get("HPC_WHISK_PILOT_TOKEN"));
    assertThat(credentials.verify(first.get("HPC_WHISK_PILOT_TOKEN"), "4711")).isPresent();
    assertThat(credentials.verify(first.get("HPC_WHISK_PILOT_TOKEN") + "x", "4711")).isEmpty();
  }

  @Test
  void thePlaceholderPilotIsReplacedByTheRealOneButAChosenScriptIsKept() {
    assertThat(SystemServer.withRealPilot(HarvestConfig.defaults()).harvest().pilotJob().script())
        .isEqualTo(Path.of("config/pilot.sbatch"));
    HarvestConfig custom = HarvestConfig.parse("harvest:\n  pilot-job:\n    script: /opt/site/pilot.sh\n");
    assertThat(SystemServer.withRealPilot(custom).harvest().pilotJob().script()).isEqualTo(Path.of("/opt/site/pilot.sh"));
  }

  @Test
  void theControllerIsTurnedOffByTheOptionOrTheConfigurationAndThePolicyOptionWins() throws Exception {
    Path off = Files.writeString(dir.resolve("off.yaml"), "harvest:\n  enabled: false\n");
    Path on = Files.writeString(dir.resolve("on.yaml"), "harvest:\n  policy: fib\n");
    assertThat(ServerCommand.harvestConfig(off, true, null)).isEmpty();
    assertThat(ServerCommand.harvestConfig(on, false, null)).isEmpty();
    assertThat(ServerCommand.harvestConfig(on, true, null)).get().extracting(c -> c.harvest().policy()).isEqualTo("fib");
    assertThat(ServerCommand.harvestConfig(on, true, "adaptive")).get()
        .extracting(c -> c.harvest().policy()).isEqualTo("adaptive");
    assertThat(ServerCommand.harvestConfig(null, true, null)).get()
        .extracting(c -> c.harvest().policy()).isEqualTo("adaptive");
  }

  @Test
  void withPilotsTheControllerRunsInTheServerAndItsMetricsAreOnTheServersRegistry() throws Exception {
    // dry run against a Slurm that is not there: the passes fail, are counted, and the loop goes on
    HarvestConfig harvest = HarvestConfig.parse("slurm:\n  bin-dir: " + dir.resolve("no-slurm") + "\n"
        + "harvest:\n  dry-run: true\n  interval: 100ms\n");
    Path home = Path.of("").toAbsolutePath().getParent(); // the checkout: config/pilot.sbatch is read from it
    try (SystemServer system = SystemServer.start(config("pilots"), Optional.of(harvest), home, "test", r -> {})) {
      assertThat(system.controller()).isPresent();
      system.controller().get().runOnce();
      String scrape = system.server().meters().scrape();
      assertThat(scrape).contains("hpcwhisk_harvest_passes_total").contains("hpcwhisk_slurm_up")
          .contains("whisk_queue_length");
    }
  }

  @Test
  void withAnotherExecutorThereIsNoController() throws Exception {
    try (SystemServer system = SystemServer.start(config("none"), Optional.of(HarvestConfig.defaults()), dir, "test",
        r -> {})) {
      assertThat(system.controller()).isEmpty();
    }
  }
}
