package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.store.postgres.LeaderElection;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.localcluster.postgres.PrivatePostgres;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmJson;
import io.hpcwhisk.testkit.LocalAttacker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

/**
 * What the tests of {@code up --ha} look at: a server's {@code /metrics} (whether it answers, leads
 * the harvest controller, which pilots are registered with it), the pilot jobs in Slurm, a count in
 * the database, and the local attacker's view of the run directory and the database.
 */
final class HaProbe {

  private HaProbe() {}

  /** One look at one server's /metrics. */
  record Look(boolean up, boolean leader, Set<String> pilots) {}

  /** One server's /metrics: whether it answers, leads, and which pilots are registered with it. */
  static Look look(String url) {
    try {
      String metrics = SystemFixture.get(url + "/metrics");
      Set<String> pilots =
          metrics
              .lines()
              .filter(l -> l.startsWith("whisk_pilot_reserved_mb{"))
              .map(l -> l.replaceAll(".*pilot=\"([^\"]+)\".*", "$1"))
              .collect(Collectors.toSet());
      return new Look(
          true, metrics.lines().anyMatch(l -> l.equals("hpcwhisk_controller_leader 1.0")), pilots);
    } catch (Exception e) {
      return new Look(false, false, Set.of());
    }
  }

  /** The pilots registered with any of the servers. */
  static Set<String> registered(Map<Integer, String> urls) {
    Set<String> all = new HashSet<>();
    urls.values().forEach(u -> all.addAll(look(u).pilots()));
    return all;
  }

  /** The servers whose {@code /metrics} says they lead now. */
  static List<Integer> leaders(Map<Integer, String> urls) {
    return urls.entrySet().stream()
        .filter(e -> look(e.getValue()).leader())
        .map(Map.Entry::getKey)
        .toList();
  }

  /** The pilot jobs (pending or running) in the session's cluster: "ID STATE". */
  static List<String> pilotJobs(SlurmCli cli) {
    List<String> jobs = new ArrayList<>();
    for (Job job : SlurmJson.jobs(cli.squeueJson())) {
      if (job.name().startsWith("hpcw-pilot")
          && (job.state() == JobState.PENDING || job.state() == JobState.RUNNING)) {
        jobs.add(job.id() + " " + job.state());
      }
    }
    return jobs;
  }

  static long count(String jdbc, String user, String password, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc, user, password);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * What is left in {@code pending_activations} and {@code dispatch_queue}, row by row (id, owner
   * or origin, claim, state, age from the database's clock), and the {@code servers} table, or an
   * empty string when both tables are empty.
   */
  static String leftRows(String jdbc, String user, String password) throws Exception {
    String now = "(extract(epoch from clock_timestamp()) * 1000)::bigint";
    StringBuilder b = new StringBuilder();
    try (Connection c = DriverManager.getConnection(jdbc, user, password);
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT activation_id, owner, body::json->>'attempts', "
                  + now
                  + " - (body::json->>'acceptedAt')::bigint FROM pending_activations ORDER BY 4"
                  + " DESC")) {
        while (rs.next()) {
          b.append(
              String.format(
                  "%n  pending_activations: %s owner %s attempts %s age %d ms",
                  rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT activation_id, origin, claimed_by, claimed_pilot, claims, outcome IS NOT"
                  + " NULL, "
                  + now
                  + " - queued_ms FROM dispatch_queue ORDER BY queued_ms")) {
        while (rs.next()) {
          b.append(
              String.format(
                  "%n  dispatch_queue: %s origin %s claimed by %s (pilot %s, claims %d) %s age %d"
                      + " ms",
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getInt(5),
                  rs.getBoolean(6) ? "finished" : "unfinished",
                  rs.getLong(7)));
        }
      }
      if (b.length() == 0) {
        return "";
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT server_id, " + now + " - heartbeat_ms FROM servers ORDER BY server_id")) {
        while (rs.next()) {
          b.append(
              String.format("%n  servers: %s heartbeat %d ms ago", rs.getString(1), rs.getLong(2)));
        }
      }
    }
    return b.toString();
  }

  /**
   * How many lines containing {@code text} the logs of every server instance hold: {@code
   * ha/server-K.log} (the current one) and {@code ha/server-K.pid-P.log} (each one killed).
   */
  static long linesInServerLogs(Path dir, String text) throws Exception {
    long n = 0;
    List<Path> logs;
    try (var files = Files.list(dir.resolve("ha"))) {
      logs =
          files
              .filter(
                  f ->
                      f.getFileName().toString().startsWith("server-")
                          && f.getFileName().toString().endsWith(".log"))
              .toList();
    }
    for (Path log : logs) {
      try (var lines = Files.lines(log)) {
        n += lines.filter(l -> l.contains(text)).count();
      }
    }
    return n;
  }

  /**
   * A local unprivileged user can neither list nor read the run directory, and cannot log in to the
   * database to take the controller's leader lock; the password shows nowhere in the answer.
   */
  static void attackRunDirectoryAndDatabase(Path dir, Matcher db, String password)
      throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    Path run = dir.resolve("ha");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run)))
        .isEqualTo("rwx------");
    for (String f : List.of("db-password", "hpc-whisk.yaml", "haproxy.cfg")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve(f))))
          .as(f)
          .isEqualTo("rw-------");
      assertThat(attacker.canRead(run.resolve(f))).as("attacker reads " + f).isFalse();
    }
    LocalAttacker.Result ls = attacker.run(Duration.ofSeconds(30), "ls", run.toString());
    assertThat(ls.exitCode()).as("attacker lists the run directory: %s", ls.all()).isNotZero();
    LocalAttacker.Result psql =
        attacker.shell(
            Duration.ofSeconds(60),
            "PGCONNECT_TIMEOUT=5 "
                + PrivatePostgres.BIN.resolve("psql")
                + " -w -h 127.0.0.1 -p "
                + db.group(1)
                + " -U "
                + db.group(3)
                + " -d "
                + db.group(2)
                + " -c 'SELECT pg_advisory_lock("
                + LeaderElection.CONTROLLER_LOCK
                + ")'");
    System.out.println("[failover] attacker's psql: exit " + psql.exitCode() + ": " + psql.all());
    assertThat(psql.exitCode()).isNotZero();
    assertThat(psql.all()).contains("password").doesNotContain(password);
  }

  /** Copies the servers' and pilots' logs of up's directory {@code dir} to {@code keep}. */
  static void keepLogs(Path dir, Path keep) {
    try {
      Files.createDirectories(keep);
      List<Path> logs = new ArrayList<>();
      for (Path d : List.of(dir.resolve("ha"), dir.resolve("pilots"), dir)) {
        if (Files.isDirectory(d)) {
          try (var files = Files.list(d)) {
            files
                .filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out"))
                .forEach(logs::add);
          }
        }
      }
      for (Path f : logs) {
        Path kept = keep.resolve(dir.relativize(f).toString().replace('/', '-'));
        Files.copy(f, kept, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("[failover] log kept: " + kept.toAbsolutePath());
      }
    } catch (Exception e) {
      System.out.println("[failover] cannot keep the logs: " + e);
    }
  }
}
