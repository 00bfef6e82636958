package io.hpcwhisk.app;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.slurm.controller.HarvestController;
import io.hpcwhisk.slurm.controller.PassReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One {@code hpc-whisk server} process: the OpenWhisk API and the pilot balancer ({@link WhiskServer}) and, unless
 * turned off, the harvest controller submitting pilot jobs that connect back to that balancer.
 *
 * <p>Every pilot job is submitted with {@code HPC_WHISK_BALANCER_URL} (the server's {@code /pilot/v1}), a fresh
 * submission-scoped {@code HPC_WHISK_PILOT_TOKEN} from the balancer's {@link PilotCredentials} (bound to the first
 * job that registers with it) and {@code HPC_WHISK_HOME}. The controller's metrics go to the server's Prometheus
 * registry, so {@code /metrics} shows both. A configured pilot script that is still the sleeping placeholder is
 * replaced by the real {@code config/pilot.sbatch}.
 *
 * <p>Known caveats: the controller only runs with {@code api.executor: pilots} (pilots of another executor would
 * have nothing to do); closing stops the controller first (pilots keep running and are adopted by the next start),
 * then the server.
 */
final class SystemServer implements AutoCloseable {

  static final Path REAL_PILOT_SCRIPT = Path.of("config/pilot.sbatch");

  private final WhiskServer server;
  private final Optional<HarvestController> controller;

  private SystemServer(WhiskServer server, Optional<HarvestController> controller) {
    this.server = server;
    this.controller = controller;
  }

  /**
   * Starts the server, then (when {@code harvest} is present and the executor is {@code pilots}) the controller.
   *
   * @param home the installation: pilot script paths are resolved against it and pilots get it as HPC_WHISK_HOME
   */
  static SystemServer start(ServerConfig config, Optional<HarvestConfig> harvest, Path home, String build,
      Consumer<PassReport> onPass) throws Exception {
    WhiskServer server = WhiskServer.start(config, build);
    if (harvest.isEmpty() || !config.api().executor().equals("pilots")) {
      return new SystemServer(server, Optional.empty());
    }
    try {
      PilotCredentials credentials = WhiskServer.pilotCredentials(config);
      HarvestConfig effective = withRealPilot(harvest.get());
      String url = server.pilotUrl();
      HarvestController controller = HarvestController.start(effective, server.meters(), home, onPass,
          pilotEnvironment(url, credentials::forSubmission, home));
      return new SystemServer(server, Optional.of(controller));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The environment of one pilot job: where the balancer is, a fresh credential, the installation. */
  static Supplier<Map<String, String>> pilotEnvironment(String balancerUrl, Supplier<String> token, Path home) {
    return () -> {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("HPC_WHISK_BALANCER_URL", balancerUrl);
      env.put("HPC_WHISK_PILOT_TOKEN", token.get());
      env.put("HPC_WHISK_HOME", home.toAbsolutePath().normalize().toString());
      return env;
    };
  }

  /** The configuration with the sleeping placeholder pilot replaced by {@code config/pilot.sbatch}. */
  static HarvestConfig withRealPilot(HarvestConfig config) {
    var h = config.harvest();
    var job = h.pilotJob();
    if (!job.script().equals(HarvestConfig.PilotJob.DEFAULT_SCRIPT)) {
      return config;
    }
    var real = new HarvestConfig.PilotJob(job.namePrefix(), REAL_PILOT_SCRIPT, job.output(), job.signal(),
        job.extraOptions(), job.environment());
    return new HarvestConfig(config.slurm(), new HarvestConfig.Harvest(h.policy(), h.params(), h.interval(),
        h.dryRun(), h.maxSubmissionsPerPass(), h.expeditePreemption(), real));
  }

  WhiskServer server() {
    return server;
  }

  Optional<HarvestController> controller() {
    return controller;
  }

  @Override
  public void close() {
    try {
      controller.ifPresent(HarvestController::close);
    } finally {
      server.close();
    }
  }
}
