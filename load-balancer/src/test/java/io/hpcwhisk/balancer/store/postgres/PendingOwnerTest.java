package io.hpcwhisk.balancer.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.store.PendingActivation;
import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Take-overs with several servers on one real database: a starting server takes over the pending
 * activations of servers that are gone and its own, never those of a live server; a server that was
 * silent re-reads what it still owns with its heartbeat, waiting for a take-over in progress and
 * seeing what it took, and once the heartbeat is fresh nothing more is taken.
 */
class PendingOwnerTest {

  private static PostgresCluster cluster;

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

  private static PostgresStore open(String url) {
    return PostgresStore.open(
        new PostgresStore.Settings(url, cluster.user(), cluster.password(), 2, 10_000));
  }

  private static PendingActivation pending(String id) {
    return new PendingActivation(
        id, "ns", "ns", "/ns/x", Json.MAPPER.createObjectNode(), 5, null, 0);
  }

  private static List<String> recovered(PostgresStore db) {
    return db.activations().scanPending().readable().stream()
        .map(PendingActivation::activationId)
        .toList();
  }

  @Test
  void aStartingServerRecoversTheGoneServersActivationsButNeverALiveServers() throws Exception {
    String url = cluster.createDatabase();
    try (PostgresStore live = open(url);
        PostgresStore gone = open(url);
        PostgresStore starting = open(url)) {
      live.dispatchQueue().heartbeat(live.serverId());
      // as WhiskServer: the heartbeat starts before the recovery
      starting.dispatchQueue().heartbeat(starting.serverId());
      live.activations().accept(pending("a".repeat(32)));
      gone.activations().accept(pending("b".repeat(32))); // never sent a heartbeat: gone
      assertThat(recovered(starting)).containsExactly("b".repeat(32));
      // taken over: the gone server's entry is now the starting server's, recovered by it only
      assertThat(recovered(live)).containsExactly("a".repeat(32));
      assertThat(recovered(starting)).containsExactly("b".repeat(32));
      // the live server leaves (clean stop): its entries are recoverable by the others
      live.dispatchQueue().leave(live.serverId());
      assertThat(recovered(starting)).containsExactly("a".repeat(32), "b".repeat(32));
    }
  }

  @Test
  void aRunningServerTakesOverOnlyTheActivationsOfServersThatAreGoneAndEachOnce() throws Exception {
    String url = cluster.createDatabase();
    try (PostgresStore a = open(url);
        PostgresStore b = open(url);
        PostgresStore gone = open(url)) {
      a.dispatchQueue().heartbeat(a.serverId());
      b.dispatchQueue().heartbeat(b.serverId());
      a.activations().accept(pending("a".repeat(32))); // in flight on live server a
      b.activations().accept(pending("b".repeat(32))); // in flight on live server b itself
      gone.activations().accept(pending("c".repeat(32))); // its server never beat: gone
      List<String> taken =
          b.activations().adoptOrphans().stream().map(PendingActivation::activationId).toList();
      assertThat(taken).containsExactly("c".repeat(32));
      // taken once: neither b again nor a gets it
      assertThat(b.activations().adoptOrphans()).isEmpty();
      assertThat(a.activations().adoptOrphans()).isEmpty();
    }
  }

  @Test
  void theReReadWaitsForATakeOverInProgressAndSeesWhatWasTakenOrEndedElsewhere() throws Exception {
    String url = cluster.createDatabase();
    String db = url.substring(url.lastIndexOf('/') + 1);
    String taken = "a".repeat(32);
    String kept = "b".repeat(32);
    String endedElsewhere = "c".repeat(32);
    String neverPending = "d".repeat(32); // e.g. a sequence's component: no entry of its own
    try (PostgresStore silent = open(url);
        PostgresStore adopter = open(url)) {
      silent.dispatchQueue().heartbeat(silent.serverId());
      adopter.dispatchQueue().heartbeat(adopter.serverId());
      for (String id : List.of(taken, kept, endedElsewhere)) {
        silent.activations().accept(pending(id));
      }
      // the silent server's heartbeat is a minute old (as after a SIGSTOP); another server ended
      // one of its activations already
      cluster.psql(
          db,
          "UPDATE servers SET heartbeat_ms = heartbeat_ms - 60000 WHERE server_id = '"
              + silent.serverId()
              + "'; DELETE FROM pending_activations WHERE activation_id = '"
              + endedElsewhere
              + "'; INSERT INTO activation_records VALUES ('"
              + endedElsewhere
              + "', 'ns', 'ns/x', 1, 2, '{}')");
      // a take-over in progress: the gone server's row locked, one entry taken, not committed
      try (Connection c = DriverManager.getConnection(url, cluster.user(), cluster.password())) {
        c.setAutoCommit(false);
        assertThat(PostgresDispatchQueue.lockGone(c, adopter.serverId(), 5000))
            .containsExactly(silent.serverId());
        try (Statement s = c.createStatement()) {
          s.executeUpdate(
              "UPDATE pending_activations SET owner = '"
                  + adopter.serverId()
                  + "' WHERE activation_id = '"
                  + taken
                  + "'");
        }
        CompletableFuture<PostgresDispatchQueue.Ownership> reread =
            CompletableFuture.supplyAsync(
                () ->
                    silent
                        .dispatchQueue()
                        .heartbeatAndReadOwnership(
                            silent.serverId(),
                            5000,
                            Set.of(taken, kept, endedElsewhere, neverPending),
                            Set.of()));
        // it waits for the take-over's row lock
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    cluster
                        .psql(
                            db,
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                + " AND datname = '"
                                + db
                                + "'")
                        .strip()
                        .equals("1"));
        assertThat(reread).isNotDone();
        c.commit();
        assertThat(reread.get(20, TimeUnit.SECONDS).lost())
            .containsExactlyInAnyOrder(taken, endedElsewhere);
      }
      // its heartbeat is fresh now: nothing more is taken from it
      assertThat(adopter.activations().adoptOrphans()).isEmpty();
      assertThat(
              silent
                  .dispatchQueue()
                  .heartbeatAndReadOwnership(silent.serverId(), 5000, Set.of(kept), Set.of())
                  .lost())
          .isEmpty();
    }
  }

  @Test
  void aTakeOverThatComesAfterTheFreshHeartbeatTakesNothing() throws Exception {
    String url = cluster.createDatabase();
    String db = url.substring(url.lastIndexOf('/') + 1);
    try (PostgresStore silent = open(url);
        PostgresStore adopter = open(url)) {
      silent.dispatchQueue().heartbeat(silent.serverId());
      adopter.dispatchQueue().heartbeat(adopter.serverId());
      silent.activations().accept(pending("e".repeat(32)));
      cluster.psql(
          db,
          "UPDATE servers SET heartbeat_ms = heartbeat_ms - 60000 WHERE server_id = '"
              + silent.serverId()
              + "'");
      // the re-read holds its heartbeat's row lock until it commits: a take-over waiting for it
      // re-checks the row, finds it fresh and takes nothing
      assertThat(
              silent
                  .dispatchQueue()
                  .heartbeatAndReadOwnership(
                      silent.serverId(), 5000, Set.of("e".repeat(32)), Set.of())
                  .lost())
          .isEmpty();
      assertThat(adopter.activations().adoptOrphans()).isEmpty();
      try (Connection c = DriverManager.getConnection(url, cluster.user(), cluster.password())) {
        c.setAutoCommit(false);
        assertThat(PostgresDispatchQueue.lockGone(c, adopter.serverId(), 5000)).isEmpty();
        c.rollback();
      }
    }
  }
}
