package io.hpcwhisk.app;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hpc-whisk server}: runs the OpenWhisk-compatible API with its durable store until stopped. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Run the HPC-Whisk server: the OpenWhisk-compatible REST API (point wsk, the openwhisk npm"
        + " client or curl at it) with its durable store under the data directory. Options override the api: and"
        + " store: sections of the configuration file.")
final class ServerCommand implements Runnable {

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (YAML). Default: config/hpc-whisk.yaml of the installation when it exists.")
  Path config;

  @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to bind (config api.host; default 127.0.0.1).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "Port (config api.port; default 3233; 0 = any free port).")
  Integer port;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Directory of the store and the user keys (config store.data-dir; default ~/.hpc-whisk/data).")
  String dataDir;

  @Option(names = "--guest", description = "Provide the guest namespace with OpenWhisk's well-known guest key"
      + " (local mode only; config api.guest; default off).")
  Boolean guest;

  @Option(names = "--executor", paramLabel = "pilots|local|none",
      description = "What runs actions: pilots (pilot jobs registering on ws://HOST:PORT/pilot/v1), local runtimes"
          + " on this machine, or none (config api.executor; default local without a config file, pilots in"
          + " config/hpc-whisk.yaml).")
  String executor;

  @Override
  public void run() {
    ServerConfig cfg = effectiveConfig(config, host, port, dataDir, guest, executor);
    WhiskServer server;
    try {
      server = WhiskServer.start(cfg, VersionCommand.hpcWhiskVersion());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the server on " + cfg.api().host() + ":" + cfg.api().port()
          + ": " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("hpc-whisk server: error while stopping: " + e.getMessage());
      }
      stopped.countDown();
    }));
    System.out.println("hpc-whisk server: OpenWhisk API on http://" + server.address().getHostString() + ":"
        + server.address().getPort() + " (data in " + cfg.store().dataPath() + ")");
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The configuration file (given, or the installation's when present) with the options applied. */
  static ServerConfig effectiveConfig(Path config, String host, Integer port, String dataDir, Boolean guest,
      String executor) {
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
