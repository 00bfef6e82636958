package io.hpcwhisk.app;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.configuration.ConfigException;
import io.hpcwhisk.core.time.Durations;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hpc-whisk server}: runs the OpenWhisk-compatible API with its durable store, the pilot
 * balancer and the harvest controller until stopped.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description =
        "Run the HPC-Whisk server: the OpenWhisk-compatible REST API (point wsk, the openwhisk npm"
            + " client or curl at it) with its durable store under the data directory, the balancer"
            + " pilots register with, and the harvest controller that submits those pilots into the"
            + " idle gaps of Slurm (executor pilots). Options override the api:, store: and"
            + " harvest: sections of the configuration file.")
final class ServerCommand implements Runnable {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Configuration file (YAML). Default: config/hpc-whisk.yaml of the installation when it"
              + " exists.")
  Path config;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      description =
          "Address(es) to bind, comma-separated, e.g. 127.0.0.1,10.20.0.1 (config api.host; default"
              + " 127.0.0.1). The pilots' port binds the same addresses unless balancer.host says"
              + " otherwise.")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port (config api.port; default 3233; 0 = any free port).")
  Integer port;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Directory of the store and the user keys (config store.data-dir; default"
              + " ~/.hpc-whisk/data).")
  String dataDir;

  @Option(
      names = "--guest",
      description =
          "Provide the guest namespace with OpenWhisk's well-known (public) guest key, with any"
              + " executor (hpc-whisk up uses it with pilots); only on a loopback --host, since"
              + " anyone who can reach the API could use it (config api.guest; default off).")
  Boolean guest;

  @Option(
      names = "--executor",
      paramLabel = "pilots|local|none",
      description =
          "What runs actions: pilots (pilot jobs registering on ws://HOST:PILOT-PORT/pilot/v1,"
              + " config balancer.port, default PORT + 1), local runtimes on this machine, or none"
              + " (config api.executor; default local without a config file, pilots in"
              + " config/hpc-whisk.yaml).")
  String executor;

  @Option(
      names = "--controller",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run the harvest controller in this process (config harvest.enabled; only with executor"
              + " pilots; default ${DEFAULT-VALUE}). --no-controller: pilots are submitted by"
              + " someone else.")
  boolean controller;

  @Option(
      names = "--policy",
      paramLabel = "NAME",
      description =
          "Harvest policy: fib, var or adaptive (config harvest.policy; default adaptive).")
  String policy;

  @Override
  public void run() {
    ServerConfig cfg = effectiveConfig(config, host, port, dataDir, guest, executor);
    Optional<HarvestConfig> harvest = harvestConfig(configFile(config), controller, policy);
    Path home = ControllerCommand.Run.home();
    SystemServer server;
    try {
      // the slurm: section tells the pilot verifier how to run squeue and which partition,
      // controller or not
      Path file = configFile(config);
      HarvestConfig.Slurm slurm =
          (file == null ? HarvestConfig.defaults() : HarvestConfig.load(file)).slurm();
      server =
          SystemServer.start(
              cfg,
              harvest,
              Optional.of(slurm),
              home,
              VersionCommand.hpcWhiskVersion(),
              report -> {
                if (!report.errors().isEmpty() || !report.intents().isEmpty()) {
                  System.out.println("harvest: " + report.summary());
                  report.errors().forEach(e -> System.out.println("harvest: error: " + e));
                }
              });
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start the server on "
              + cfg.api().host()
              + ":"
              + cfg.api().port()
              + ": "
              + e.getMessage(),
          e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    System.err.println("hpc-whisk server: error while stopping: " + e.getMessage());
                  }
                  stopped.countDown();
                }));
    System.out.println(
        "hpc-whisk server: OpenWhisk API on "
            + String.join(
                ", ",
                server.server().http().addresses().stream()
                    .map(
                        a ->
                            (server.server().http().secure() ? "https://" : "http://")
                                + (a.getHostString().contains(":")
                                    ? "[" + a.getHostString() + "]"
                                    : a.getHostString())
                                + ":"
                                + a.getPort())
                    .toList())
            + " (data in "
            + cfg.store().dataPath()
            + "), metrics on /metrics, pilots on "
            + server
                .server()
                .pilotAddress()
                .map(a -> server.server().pilotUrl())
                .orElse("none (executor " + cfg.api().executor() + ")"));
    System.out.println(
        "hpc-whisk server: "
            + server
                .election()
                .map(
                    e ->
                        "harvest controller under leader election (PostgreSQL advisory lock): it"
                            + " runs only in the server that holds the lock (log: 'gained"
                            + " leadership'); this one "
                            + (e.leader() ? "leads now" : "does not lead yet"))
                .or(
                    () ->
                        server
                            .controller()
                            .map(
                                c ->
                                    "harvest controller running: policy "
                                        + harvest.get().harvest().policy()
                                        + ", partition "
                                        + harvest.get().slurm().partition()
                                        + ", every "
                                        + Durations.format(harvest.get().harvest().interval())))
                .orElse(
                    "harvest controller off"
                        + (harvest.isPresent()
                            ? " (executor is " + cfg.api().executor() + ")"
                            : "")));
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The configuration file given, or the installation's when present, or null. */
  static Path configFile(Path config) {
    if (config != null) {
      if (!Files.isRegularFile(config)) {
        throw new ConfigException("--config " + config + " is not a readable file");
      }
      return config;
    }
    if (System.getenv("HPC_WHISK_HOME") != null) {
      Path installed = Path.of(System.getenv("HPC_WHISK_HOME"), "config", "hpc-whisk.yaml");
      return Files.isRegularFile(installed) ? installed : null;
    }
    return null;
  }

  /**
   * The controller's configuration, or empty when it is turned off by the option or
   * harvest.enabled.
   */
  static Optional<HarvestConfig> harvestConfig(Path file, boolean controller, String policy) {
    if (!controller || (file != null && !HarvestConfig.enabledIn(file))) {
      return Optional.empty();
    }
    HarvestConfig base = file == null ? HarvestConfig.defaults() : HarvestConfig.load(file);
    if (policy == null) {
      return Optional.of(base);
    }
    var h = base.harvest();
    var params = policy.equals(h.policy()) ? h.params() : Map.<String, String>of();
    // the parameters first: they are checked against the policy (no parameters fit every policy)
    return Optional.of(
        base.with(
            HarvestConfig::harvest,
            h.with(HarvestConfig.Harvest::params, params)
                .with(HarvestConfig.Harvest::policy, policy)));
  }

  /**
   * The configuration file (given, or the installation's when present) with the options applied.
   */
  static ServerConfig effectiveConfig(
      Path config, String host, Integer port, String dataDir, Boolean guest, String executor) {
    ServerConfig cfg = ServerConfig.DEFAULT;
    Path file = config;
    if (file == null && System.getenv("HPC_WHISK_HOME") != null) {
      Path installed = Path.of(System.getenv("HPC_WHISK_HOME"), "config", "hpc-whisk.yaml");
      file = Files.isRegularFile(installed) ? installed : null;
    }
    if (file != null) {
      cfg = ServerConfig.load(file);
    }
    ServerConfig.Api api = cfg.api();
    if (host != null) {
      api = api.withHost(host);
    }
    if (port != null) {
      api = api.withPort(port);
    }
    if (guest != null) {
      api = api.withGuest(guest);
    }
    if (executor != null) {
      api = api.withExecutor(executor);
    }
    cfg = cfg.withApi(api);
    if (dataDir != null) {
      cfg = cfg.withStore(cfg.store().withDataDir(dataDir));
    }
    return cfg;
  }
}
