package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.store.postgres.PostgresStore;
import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

  /**
   * A pilot's results reach {@code completeAsync} on the thread that reads its connection: it must
   * hand the record over and return, not wait for the commit (here the table is locked by another
   * transaction, so nothing can commit until it ends).
   */
  @Test
  void completeAsyncReturnsBeforeItsCommitAndTheRecordIsThereWhenItsFutureCompletes()
      throws Exception {
    String id = "d".repeat(32);
    try (Opened db = open(dir)) {
      ActivationStore s = db.activations();
      s.accept(pending(id, "ns", "/ns/x", Json.MAPPER.createObjectNode()));
      CompletableFuture<Void> done;
      try (Connection other =
          DriverManager.getConnection(DATABASES.get(dir), cluster.user(), cluster.password())) {
        other.setAutoCommit(false);
        try (Statement lock = other.createStatement()) {
          lock.execute("LOCK TABLE activation_records IN EXCLUSIVE MODE");
        }
        done =
            assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> s.completeAsync(record(id, "ns", "ns/x", 100)),
                "completeAsync waited for its commit");
        assertThat(done).as("committed although the table is locked").isNotDone();
        other.rollback();
      }
      done.get(30, TimeUnit.SECONDS);
      assertThat(s.get("ns", id)).get().extracting(ActivationRecord::start).isEqualTo(100L);
      assertThat(s.pending()).isEmpty();
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
