package io.hpcwhisk.balancer.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.store.PendingActivation;
import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Start-up recovery with several servers on one real database: a starting server takes over the
 * pending activations of servers that are gone and its own, never those of a live server.
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
}
