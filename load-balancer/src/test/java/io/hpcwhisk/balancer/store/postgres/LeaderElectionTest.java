package io.hpcwhisk.balancer.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LeaderElection} against a real private PostgreSQL 15 (testkit {@link PostgresCluster}):
 * one leader among competitors, a lost session steps the leader down and another takes over, the
 * database's own shutdown deposes everyone, and a competitor without the right password never
 * leads.
 */
class LeaderElectionTest {

  private static PostgresCluster cluster;
  private static String url;

  @BeforeAll
  static void startCluster() throws IOException {
    Required.on(PostgresCluster.available(), PostgresCluster.MISSING);
    cluster = PostgresCluster.start(List.of("fsync=off"));
    url = cluster.createDatabase();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Counts what the election told it. */
  static final class Recorder implements LeaderElection.Listener {
    final AtomicInteger elected = new AtomicInteger();
    final List<String> deposed = new CopyOnWriteArrayList<>();

    @Override
    public void elected() {
      elected.incrementAndGet();
    }

    @Override
    public void deposed(String reason) {
      deposed.add(reason);
    }
  }

  private static LeaderElection start(
      String password, long key, SimpleMeterRegistry registry, Recorder r, String name) {
    return LeaderElection.start(
        new PostgresStore.Settings(url, cluster.user(), password, 1, 5000),
        key,
        Duration.ofMillis(500),
        registry,
        r,
        name);
  }

  @Test
  void exactlyOneLeadsAndALostSessionHandsLeadershipOver() throws Exception {
    long key = 11;
    SimpleMeterRegistry ra = new SimpleMeterRegistry();
    SimpleMeterRegistry rb = new SimpleMeterRegistry();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    try (LeaderElection ea = start(cluster.password(), key, ra, a, "a");
        LeaderElection eb = start(cluster.password(), key, rb, b, "b")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> ea.leader() || eb.leader());
      // both keep competing for several retries: still exactly one
      await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
      assertThat(ea.leader() ^ eb.leader()).as("exactly one leader").isTrue();
      assertThat(a.elected.get() + b.elected.get()).isEqualTo(1);
      LeaderElection leader = ea.leader() ? ea : eb;
      LeaderElection other = leader == ea ? eb : ea;
      Recorder lr = leader == ea ? a : b;
      SimpleMeterRegistry lreg = leader == ea ? ra : rb;
      SimpleMeterRegistry oreg = leader == ea ? rb : ra;
      assertThat(lreg.get(LeaderElection.METRIC).gauge().value()).isEqualTo(1.0);
      assertThat(oreg.get(LeaderElection.METRIC).gauge().value()).isEqualTo(0.0);

      // the leader's session dies (as when its connection breaks): it steps down, the other leads
      long t0 = System.nanoTime();
      String killed =
          cluster.psql(
              "postgres",
              "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                  + " AND granted AND objid = "
                  + key
                  + ";");
      assertThat(killed.strip()).isEqualTo("t");
      await().atMost(Duration.ofSeconds(10)).until(() -> !lr.deposed.isEmpty());
      double stepDown = (System.nanoTime() - t0) / 1e9;
      await().atMost(Duration.ofSeconds(10)).until(other::leader);
      double takeOver = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "LeaderElectionTest: old leader stepped down after %.2f s, new leader after %.2f s"
              + " (load %s)%n",
          stepDown, takeOver, loadavg());
      assertThat(lr.deposed.get(0)).contains("session is lost");
      assertThat(lreg.get(LeaderElection.METRIC).gauge().value()).isEqualTo(0.0);
      assertThat(oreg.get(LeaderElection.METRIC).gauge().value()).isEqualTo(1.0);
      // the old leader reconnects and stands by: still one leader
      await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
      assertThat(leader.leader()).isFalse();
    }
  }

  @Test
  void closingTheLeaderStepsDownAndFreesTheLock() throws Exception {
    long key = 12;
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    LeaderElection ea = start(cluster.password(), key, new SimpleMeterRegistry(), a, "a");
    await().atMost(Duration.ofSeconds(30)).until(ea::leader);
    try (LeaderElection eb = start(cluster.password(), key, new SimpleMeterRegistry(), b, "b")) {
      ea.close();
      assertThat(a.deposed).hasSize(1);
      await().atMost(Duration.ofSeconds(10)).until(eb::leader);
      assertThat(b.elected.get()).isEqualTo(1);
    }
  }

  @Test
  void aCompetitorWithoutTheRightPasswordNeverLeads() throws Exception {
    long key = 13;
    Recorder r = new Recorder();
    String wrong = "not-the-password-" + System.nanoTime();
    try (LeaderElection e = start(wrong, key, new SimpleMeterRegistry(), r, "intruder")) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> e.lastError().contains("password authentication failed"));
      assertThat(e.leader()).isFalse();
      assertThat(r.elected.get()).isZero();
      assertThat(e.lastError()).doesNotContain(wrong).doesNotContain(cluster.password());
    }
    // nobody holds the lock: the intruder took nothing
    assertThat(
            cluster
                .psql(
                    "postgres",
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = "
                        + key
                        + ";")
                .strip())
        .isEqualTo("0");
  }

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "?";
    }
  }
}
