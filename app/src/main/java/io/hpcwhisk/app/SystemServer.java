package io.hpcwhisk.app;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.balancer.pilots.PilotJobVerifier;
import io.hpcwhisk.balancer.pilots.PilotSubmissions;
import io.hpcwhisk.balancer.store.postgres.LeaderElection;
import io.hpcwhisk.balancer.store.postgres.PasswordFile;
import io.hpcwhisk.balancer.store.postgres.PostgresStore;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.slurm.cli.PilotJobHandOff;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.slurm.controller.HarvestController;
import io.hpcwhisk.slurm.controller.PassReport;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One {@code hpc-whisk server} process: the OpenWhisk API and the pilot balancer ({@link
 * WhiskServer}) and, with {@code api.executor: pilots} and unless turned off, the harvest
 * controller (under {@link LeaderElection} on a shared PostgreSQL store) submitting pilot jobs that
 * connect back to that balancer; how a pilot job gets its credential and is admitted is stated in
 * docs/admin-guide.md §7, "Security model", and the controller's metrics share the server's {@code
 * /metrics}.
 */
final class SystemServer implements AutoCloseable {

  static final Path REAL_PILOT_SCRIPT = Path.of("config/pilot.sbatch");

  private final WhiskServer server;
  private volatile HarvestController controller;
  private final Optional<LeaderElection> election;

  private SystemServer(WhiskServer server, Optional<HarvestController> controller) {
    this.server = server;
    this.controller = controller.orElse(null);
    this.election = Optional.empty();
    wakeOnPilotChange();
    if (controller.isPresent()) {
      // one server, one controller: it always leads
      Gauge.builder(LeaderElection.METRIC, () -> 1).register(server.meters());
    }
  }

  private SystemServer(WhiskServer server, LeaderElection election) {
    this.server = server;
    this.election = Optional.of(election);
    wakeOnPilotChange();
  }

  /**
   * A pilot that registers or leaves brings the controller's next pass forward (if it runs here).
   */
  private void wakeOnPilotChange() {
    if (server.dispatcher() instanceof PilotDispatcher pilots) {
      pilots.onPilotChange(
          () -> {
            HarvestController c = controller;
            if (c != null) {
              c.wake();
            }
          });
    }
  }

  /**
   * Starts the server, then (when {@code harvest} is present and the executor is {@code pilots})
   * the controller.
   *
   * @param home the installation: pilot script paths are resolved against it and pilots get it as
   *     HPC_WHISK_HOME
   */
  static SystemServer start(
      ServerConfig config,
      Optional<HarvestConfig> harvest,
      Path home,
      String build,
      Consumer<PassReport> onPass)
      throws Exception {
    return start(config, harvest, harvest.map(HarvestConfig::slurm), home, build, onPass);
  }

  /**
   * As {@link #start(ServerConfig, Optional, Path, String, Consumer)}; {@code slurm} (the
   * configuration's {@code slurm:} section, also without a controller) tells the pilot verifier
   * where {@code squeue} is and the harvest partition, unless {@code balancer.pilot-partition}
   * names it.
   */
  static SystemServer start(
      ServerConfig config,
      Optional<HarvestConfig> harvest,
      Optional<HarvestConfig.Slurm> slurm,
      Path home,
      String build,
      Consumer<PassReport> onPass)
      throws Exception {
    boolean pilots = config.api().executor().equals("pilots");
    Optional<HarvestConfig.Slurm> s = harvest.map(HarvestConfig::slurm).or(() -> slurm);
    Optional<PilotJobVerifier> verifier =
        pilots
            ? Optional.of(
                s.map(h -> WhiskServer.verifier(config, h.binDir(), h.environment(), h.partition()))
                    .orElseGet(
                        () -> WhiskServer.verifier(config, Optional.empty(), Map.of(), null)))
            : Optional.empty();
    WhiskServer server = WhiskServer.start(config, verifier, build);
    if (harvest.isEmpty() || !pilots) {
      return new SystemServer(server, Optional.empty());
    }
    try {
      HarvestConfig effective = withRealPilot(harvest.get());
      String url = server.pilotUrl();
      Supplier<HarvestController> starter =
          () ->
              HarvestController.start(
                      effective,
                      server.meters(),
                      home,
                      onPass,
                      handOff(
                          url,
                          Optional.ofNullable(config.balancer().caFile()),
                          server.pilotSubmissions().orElseThrow(),
                          home))
                  .withDemand(server::demand);
      if (config.store().postgresKind()) {
        return leading(server, config.store().postgres(), starter);
      }
      return new SystemServer(server, Optional.of(starter.get()));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * Several servers over one PostgreSQL database: the controller runs only while this server holds
   * the controller's advisory lock ({@link LeaderElection}); it starts on election (adopting the
   * pilots already in Slurm, as any restarted controller does) and stops on losing the lock.
   */
  private static SystemServer leading(
      WhiskServer server, ServerConfig.Postgres db, Supplier<HarvestController> starter) {
    PostgresStore.Settings settings =
        new PostgresStore.Settings(
            db.url(), db.user(), PasswordFile.read(db.passwordPath()), 1, db.connectTimeoutMs());
    SystemServer[] self = new SystemServer[1];
    Object lock = new Object();
    synchronized (lock) { // elected() waits until self[0] is set
      LeaderElection election =
          LeaderElection.start(
              settings,
              LeaderElection.CONTROLLER_LOCK,
              LeaderElection.RETRY,
              server.meters(),
              new LeaderElection.Listener() {
                @Override
                public void elected() {
                  synchronized (lock) {
                    self[0].controller = starter.get();
                  }
                }

                @Override
                public void deposed(String reason) {
                  synchronized (lock) {
                    HarvestController c = self[0].controller;
                    self[0].controller = null;
                    if (c != null) {
                      c.close();
                    }
                  }
                }
              },
              "server " + server.apiUrl());
      self[0] = new SystemServer(server, election);
    }
    return self[0];
  }

  /**
   * How each pilot job gets its credential: a fresh token in its own file (the job's environment
   * names the file, the balancer and the installation), bound to the job id once {@code sbatch}
   * answers, deleted if it fails.
   */
  static PilotJobHandOff handOff(String balancerUrl, PilotSubmissions submissions, Path home) {
    return handOff(balancerUrl, Optional.empty(), submissions, home);
  }

  /** As above; {@code caFile} (balancer.ca-file) is handed on as HPC_WHISK_BALANCER_CA_FILE. */
  static PilotJobHandOff handOff(
      String balancerUrl, Optional<String> caFile, PilotSubmissions submissions, Path home) {
    String installation = home.toAbsolutePath().normalize().toString();
    return () -> {
      PilotSubmissions.Issued issued = submissions.issue();
      Map<String, String> env = new LinkedHashMap<>();
      // several servers' URLs go space-separated: sbatch --export splits its list on commas
      env.put(PilotProtocol.ENV_BALANCER_URL, String.join(" ", balancerUrl.split("\\s*,\\s*")));
      caFile.ifPresent(ca -> env.put(PilotProtocol.ENV_BALANCER_CA_FILE, ca));
      env.put(PilotProtocol.ENV_TOKEN_FILE, issued.file().toString());
      env.put("HPC_WHISK_HOME", installation);
      return new PilotJobHandOff.Prepared() {
        @Override
        public Map<String, String> environment() {
          return env;
        }

        @Override
        public void submitted(JobId id, Duration timeLimit) {
          submissions.submitted(issued, id.toString(), timeLimit);
        }

        @Override
        public void failed() {
          submissions.failed(issued);
        }
      };
    };
  }

  /**
   * The configuration with the sleeping placeholder pilot replaced by {@code config/pilot.sbatch}.
   */
  static HarvestConfig withRealPilot(HarvestConfig config) {
    var h = config.harvest();
    var job = h.pilotJob();
    if (!job.script().equals(HarvestConfig.PilotJob.DEFAULT_SCRIPT)) {
      return config;
    }
    return config.with(
        HarvestConfig::harvest,
        h.with(
            HarvestConfig.Harvest::pilotJob,
            job.with(HarvestConfig.PilotJob::script, REAL_PILOT_SCRIPT)));
  }

  WhiskServer server() {
    return server;
  }

  /** The controller running in this process now (with leader election: while leader). */
  Optional<HarvestController> controller() {
    return Optional.ofNullable(controller);
  }

  /** The leader election (store.kind postgres with a controller), else empty. */
  Optional<LeaderElection> election() {
    return election;
  }

  /**
   * Stops the controller first (its pilots keep running and are adopted by the next start), then
   * the server.
   */
  @Override
  public void close() {
    try {
      if (election.isPresent()) {
        election.get().close(); // steps down: stops the controller, frees the lock
      } else if (controller != null) {
        controller.close();
      }
    } finally {
      server.close();
    }
  }
}
