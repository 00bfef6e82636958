package io.hpcwhisk.balancer.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.auth.IdentityStore;
import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The users on PostgreSQL as two servers (and an admin command) see them: one {@link IdentityStore}
 * per server over one real database.
 */
class PostgresUserRecordsTest {

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

  @Test
  void aUserCreatedThroughOneServerAuthenticatesOnTheOtherAndDiesEverywhereWhenDeleted()
      throws Exception {
    String url = cluster.createDatabase();
    try (PostgresStore a = open(url);
        PostgresStore b = open(url)) {
      IdentityStore serverA = new IdentityStore(a.users());
      IdentityStore serverB = new IdentityStore(b.users());
      Identity alice = serverA.create("alice");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> serverB.authenticate(alice.uuid(), alice.key()).isPresent());
      // the database holds the digest, never the key
      assertThat(
              cluster.psql(url.substring(url.lastIndexOf('/') + 1), "SELECT body FROM identities"))
          .contains(alice.uuid())
          .doesNotContain(alice.key());
      // a second user for the namespace is refused whichever server is asked
      assertThatThrownBy(() -> serverB.create("alice"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already has a user");
      Identity rotated = serverB.rotate("alice");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> serverA.authenticate(alice.uuid(), alice.key()).isEmpty());
      assertThat(serverA.authenticate(rotated.uuid(), rotated.key())).isPresent();
      assertThat(serverA.delete("alice")).isTrue();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> serverB.authenticate(rotated.uuid(), rotated.key()).isEmpty());
    }
  }

  @Test
  void concurrentCreatesOnTwoServersLoseNoUser() throws Exception {
    String url = cluster.createDatabase();
    try (PostgresStore a = open(url);
        PostgresStore b = open(url)) {
      IdentityStore serverA = new IdentityStore(a.users());
      IdentityStore serverB = new IdentityStore(b.users());
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < 20; i++) {
                  serverA.create("a" + i);
                }
              });
      t.start();
      for (int i = 0; i < 20; i++) {
        serverB.create("b" + i);
      }
      t.join();
      assertThat(new IdentityStore(a.users()).list()).hasSize(40);
    }
  }
}
