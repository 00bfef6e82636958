package io.hpcwhisk.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.localcluster.postgres.PrivatePostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one private PostgreSQL implementation ({@link PrivatePostgres}, production, used by {@code up
 * --ha}) and the test fixture on top of it ({@link PostgresCluster}): the settings each starts
 * with, what a local user can see of it, and the bad input it refuses. Real PostgreSQL 15.
 */
class PrivatePostgresTest {

  @TempDir Path dir;

  @Test
  void productionDefaultsTheFixturesFootprintAndLaterSettingsWin() throws Exception {
    Required.on(PrivatePostgres.available(), PrivatePostgres.MISSING);
    try (PrivatePostgres pg = PrivatePostgres.start(List.of("shared_buffers=16MB"))) {
      assertThat(pg.psql("postgres", "SHOW max_connections;").strip()).isEqualTo("200");
      assertThat(pg.psql("postgres", "SHOW shared_buffers;").strip()).isEqualTo("16MB");
      assertThat(pg.psql("postgres", "SHOW fsync;").strip()).isEqualTo("on");
      String url = pg.createDatabase("hpcwhisk");
      assertThat(url).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/hpcwhisk");
      assertThat(
              pg.psql(
                      "postgres",
                      "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname ="
                          + " 'hpcwhisk';")
                  .strip())
          .isEqualTo(PrivatePostgres.ROLE);
    }
    try (PostgresCluster cluster = PostgresCluster.start(List.of("fsync=off"))) {
      assertThat(cluster.psql("postgres", "SHOW max_connections;").strip()).isEqualTo("100");
      assertThat(cluster.psql("postgres", "SHOW shared_buffers;").strip()).isEqualTo("32MB");
      assertThat(cluster.psql("postgres", "SHOW fsync;").strip()).isEqualTo("off");
      assertThat(cluster.createDatabase()).endsWith("/db1");
      assertThat(cluster.createDatabase()).endsWith("/db2");
    }
  }

  @Test
  void aLocalUserSeesNeitherThePasswordNorTheCluster() throws Exception {
    Required.on(PrivatePostgres.available(), PrivatePostgres.MISSING);
    LocalAttacker attacker = LocalAttacker.ensure();
    Path passwordFile = dir.resolve("db-password");
    Path clusterDir;
    long pid;
    try (PrivatePostgres pg = PrivatePostgres.start()) {
      clusterDir = pg.dir();
      pid = pg.pid();
      pg.writePasswordFile(passwordFile);
      assertThat(Files.readString(passwordFile, StandardCharsets.UTF_8).strip())
          .isEqualTo(pg.password());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pg.dir())))
          .isEqualTo("rwx------");
      assertThat(attacker.canRead(passwordFile)).isFalse();
      assertThat(attacker.canRead(pg.dataDir().resolve("pg_hba.conf"))).isFalse();
      LocalAttacker.Result ls =
          attacker.run(Duration.ofSeconds(20), "ls", pg.socketDir().toString());
      assertThat(ls.exitCode()).as("attacker lists the socket directory: %s", ls.all()).isNotZero();
      // the password is on no command line of the server's processes, nor in its log
      for (String cmdline : commandLines(pid)) {
        assertThat(cmdline).doesNotContain(pg.password());
      }
      assertThat(pg.log()).doesNotContain(pg.password());
      // a TCP login without the password fails (scram-sha-256, no trust)
      LocalAttacker.Result psql =
          attacker.shell(
              Duration.ofSeconds(30),
              "PGCONNECT_TIMEOUT=5 "
                  + PrivatePostgres.BIN.resolve("psql")
                  + " -w -h 127.0.0.1 -p "
                  + pg.port()
                  + " -U "
                  + PrivatePostgres.ROLE
                  + " -d postgres -c 'SELECT 1'");
      assertThat(psql.exitCode()).as("attacker's psql: %s", psql.all()).isNotZero();
    }
    // close() stopped the server it started and removed its directory
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(clusterDir).doesNotExist();
  }

  @Test
  void badSettingsAndDatabaseNamesAreRefusedNamingTheValue() throws Exception {
    assertThatThrownBy(() -> PrivatePostgres.start(List.of("fsync")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'fsync'")
        .hasMessageContaining("expected name=value");
    assertThatThrownBy(() -> PrivatePostgres.start(List.of("fsync=off -c ssl=on")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected name=value");
    Required.on(PrivatePostgres.available(), PrivatePostgres.MISSING);
    try (PrivatePostgres pg = PrivatePostgres.start()) {
      assertThatThrownBy(() -> pg.createDatabase("x; DROP ROLE hpcw"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'x; DROP ROLE hpcw'")
          .hasMessageContaining("expected [a-z][a-z0-9_]*");
      assertThat(pg.psql("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'hpcw';"))
          .isEqualToIgnoringWhitespace("1");
      // a failing statement's output never shows the password
      String sql = "SELECT '" + pg.password() + "'::int;";
      assertThatThrownBy(() -> pg.psql("postgres", sql))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("psql failed")
          .hasMessageNotContaining(pg.password());
    }
  }

  private static List<String> commandLines(long pid) throws IOException {
    List<String> out = new ArrayList<>();
    List<Long> pids = new ArrayList<>(List.of(pid));
    ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
    for (long p : pids) {
      Path cmdline = Path.of("/proc", Long.toString(p), "cmdline");
      try {
        out.add(Files.readString(cmdline).replace('\0', ' '));
      } catch (IOException e) {
        // the process exited meanwhile
      }
    }
    assertThat(out).isNotEmpty();
    return out;
  }
}
