package io.hpcwhisk.app;

import io.hpcwhisk.balancer.auth.IdentityStore;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.store.postgres.PostgresStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --config}/{@code --data-dir} options of commands that read the server's data
 * directory.
 */
final class DataDirMixin {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Configuration file; its store.data-dir is used. Default: the installation's"
              + " config/hpc-whisk.yaml.")
  Path config;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "The server's data directory (overrides the configuration; default ~/.hpc-whisk/data).")
  String dataDir;

  /** The server's data directory these options name. */
  Path dataPath() {
    return ServerCommand.effectiveConfig(config, null, null, dataDir, null, null)
        .store()
        .dataPath();
  }

  /**
   * The user keys: in that directory, or with {@code store.kind: postgres} in the database every
   * server shares (the pool stays open until the command's process ends).
   */
  IdentityStore store() {
    ServerConfig c = ServerCommand.effectiveConfig(config, null, null, dataDir, null, null);
    if (c.store().postgresKind()) {
      return new IdentityStore(PostgresStore.open(c.store().postgres()).users());
    }
    return new IdentityStore(c.store().dataPath());
  }
}
