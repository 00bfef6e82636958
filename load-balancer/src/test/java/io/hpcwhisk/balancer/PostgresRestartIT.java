package io.hpcwhisk.balancer;

import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link RestartIT} on {@code store.kind: postgres}: the server process is killed (SIGKILL) or
 * stopped with activations in flight and started again on the same database; recovery ends or
 * re-runs every pending activation exactly as with the embedded store. One private cluster for the
 * class, one database per test.
 */
class PostgresRestartIT extends RestartIT {

  private static PostgresCluster cluster;
  private List<String> store;

  @BeforeAll
  static void startCluster() throws IOException {
    Required.on(PostgresCluster.available(), PostgresCluster.MISSING);
    cluster = PostgresCluster.start(List.of("fsync=off"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void database() throws IOException {
    Path password = dir.resolve("pg-password");
    Files.writeString(password, cluster.password() + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    store = List.of(cluster.createDatabase(), cluster.user(), password.toString());
  }

  @Override
  List<String> storeArgs() {
    return store;
  }
}
