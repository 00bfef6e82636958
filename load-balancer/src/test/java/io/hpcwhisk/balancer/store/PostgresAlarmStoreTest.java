package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.hpcwhisk.balancer.store.postgres.PostgresStore;
import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alarms' table on PostgreSQL (a private cluster from testkit): what is put is there after the
 * store is opened again, a namespace's count does not include another namespace whose name it
 * prefixes or that holds LIKE's wildcards, removal says whether there was one.
 */
class PostgresAlarmStoreTest {

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
  void alarmsAreKeptAcrossAReopen() throws IOException {
    String url = cluster.createDatabase();
    try (PostgresStore db = open(url)) {
      AlarmStore alarms = db.alarms();
      alarms.put("alice/t1", "{\"a\":1}");
      alarms.put("alice/t2", "{\"a\":2}");
      alarms.put("alice/t2", "{\"a\":3}");
      alarms.put("alice2/t", "{}");
      alarms.put("a_ice/t", "{}");
      assertThat(alarms.countIn("alice")).isEqualTo(2);
      assertThat(alarms.countIn("a_ice")).isEqualTo(1);
      assertThat(alarms.remove("alice/t1")).isTrue();
      assertThat(alarms.remove("alice/t1")).isFalse();
    }
    try (PostgresStore db = open(url)) {
      AlarmStore alarms = db.alarms();
      assertThat(alarms.get("alice/t2")).contains("{\"a\":3}");
      assertThat(alarms.get("alice/t1")).isEmpty();
      // in key order, as the embedded store lists them
      assertThat(alarms.all())
          .containsExactly(
              entry("a_ice/t", "{}"), entry("alice/t2", "{\"a\":3}"), entry("alice2/t", "{}"));
    }
  }
}
