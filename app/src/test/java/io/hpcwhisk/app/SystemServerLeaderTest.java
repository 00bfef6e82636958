package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.testkit.PostgresCluster;
import io.hpcwhisk.testkit.Required;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@link SystemServer}s over one real PostgreSQL (testkit {@link PostgresCluster}): exactly one
 * runs the harvest controller, the gauges say which, and when the leader stops the other starts its
 * controller within 10 s. (Three processes and kill -9 under load: {@code FailoverIT}.)
 */
class SystemServerLeaderTest {

  @TempDir Path dir;

  @Test
  void exactlyOneServerRunsTheControllerAndTheOtherTakesOverWhenItStops() throws Exception {
    Required.on(PostgresCluster.available(), PostgresCluster.MISSING);
    try (PostgresCluster pg = PostgresCluster.start(List.of("fsync=off"))) {
      String url = pg.createDatabase();
      Path password = dir.resolve("pg-password");
      Files.createFile(
          password,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(password, pg.password() + "\n");
      // dry run against a Slurm that is not there: the passes fail and are counted, nothing runs
      HarvestConfig harvest =
          HarvestConfig.parse(
              "slurm:\n  bin-dir: "
                  + dir.resolve("no-slurm")
                  + "\n"
                  + "harvest:\n  dry-run: true\n  interval: 200ms\n");
      Path home = Path.of("").toAbsolutePath().getParent();
      SystemServer a = start("a", url, pg.user(), password, harvest, home);
      SystemServer b = null;
      SystemServer stopped = null;
      try {
        b = start("b", url, pg.user(), password, harvest, home);
        SystemServer sb = b;
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> a.controller().isPresent() || sb.controller().isPresent());
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(a.controller().isPresent() ^ b.controller().isPresent())
            .as("exactly one controller")
            .isTrue();
        SystemServer leader = a.controller().isPresent() ? a : b;
        SystemServer other = leader == a ? b : a;
        assertThat(leader.server().meters().scrape()).contains("hpcwhisk_controller_leader 1.0");
        assertThat(other.server().meters().scrape()).contains("hpcwhisk_controller_leader 0.0");

        long t0 = System.nanoTime();
        stopped = leader;
        leader.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> other.controller().isPresent());
        System.out.printf(
            "SystemServerLeaderTest: the other server runs the controller %.2f s after the leader"
                + " stopped%n",
            (System.nanoTime() - t0) / 1e9);
        assertThat(other.server().meters().scrape()).contains("hpcwhisk_controller_leader 1.0");
      } finally {
        for (SystemServer s : new SystemServer[] {a, b}) {
          if (s != null && s != stopped) {
            s.close();
          }
        }
      }
    }
  }

  private SystemServer start(
      String name, String url, String user, Path password, HarvestConfig harvest, Path home)
      throws Exception {
    ServerConfig cfg =
        ServerConfig.DEFAULT
            .withApi(ServerConfig.DEFAULT.api().withPort(0).withExecutor("pilots"))
            .withStore(
                ServerConfig.DEFAULT
                    .store()
                    .withDataDir(dir.resolve(name).toString())
                    .withPostgres(
                        new ServerConfig.Postgres(url, user, password.toString(), 2, 5000)));
    return SystemServer.start(cfg, Optional.of(harvest), home, "test", r -> {});
  }
}
