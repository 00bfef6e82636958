package io.hpcwhisk.balancer.store;

import io.hpcwhisk.balancer.store.postgres.PostgresStore;
import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on PostgreSQL: one private cluster for the class (testkit {@link
 * PostgresCluster}), one fresh database per test directory, so that opening the same directory
 * again is a restart of the server on the same database.
 */
class PostgresStoreTest extends StoreContract {

  private static PostgresCluster cluster;
  private static final Map<Path, String> DATABASES = new ConcurrentHashMap<>();

  @BeforeAll
  static void startCluster() throws IOException {
    Required.on(PostgresCluster.available(), PostgresCluster.MISSING);
    // fsync off: the contract is about what is committed, not about the disk; keeps the class fast
    cluster = PostgresCluster.start(List.of("fsync=off"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  Opened open(Path dir) {
    String url =
        DATABASES.computeIfAbsent(
            dir,
            d -> {
              try {
                return cluster.createDatabase();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    PostgresStore db =
        PostgresStore.open(
            new PostgresStore.Settings(url, cluster.user(), cluster.password(), 4, 10_000));
    EntityStore entities = db.entities();
    ActivationStore activations = db.activations();
    PilotBindingStore bindings = db.pilotBindings();
    return new Opened() {
      @Override
      public EntityStore entities() {
        return entities;
      }

      @Override
      public ActivationStore activations() {
        return activations;
      }

      @Override
      public PilotBindingStore pilotBindings() {
        return bindings;
      }

      @Override
      public void close() {
        db.close();
      }
    };
  }
}
