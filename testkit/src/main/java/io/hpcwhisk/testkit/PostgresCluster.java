package io.hpcwhisk.testkit;

import io.hpcwhisk.localcluster.postgres.PrivatePostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A private PostgreSQL 15 cluster for one test class: the production {@link PrivatePostgres} (the
 * one behind {@code hpc-whisk up --ha}: {@code initdb} in its own 0700 directory, {@code postgres}
 * on a free port of 127.0.0.1, TCP logins by password only, the socket for its OS account only, run
 * as the {@code postgres} account when the tests run as root), with the tests' smaller footprint
 * ({@code max_connections=100}, {@code shared_buffers=32MB}) and numbered databases. {@link
 * #close()} stops the server by the pid it started and deletes the directory.
 */
public final class PostgresCluster implements AutoCloseable {

  public static final Path BIN = PrivatePostgres.BIN;

  /** The reason for {@code Required.on(available(), ...)}. */
  public static final String MISSING = PrivatePostgres.MISSING;

  private static final List<String> TEST_SETTINGS =
      List.of("max_connections=100", "shared_buffers=32MB");

  private final PrivatePostgres postgres;
  private int databases;

  private PostgresCluster(PrivatePostgres postgres) {
    this.postgres = postgres;
  }

  /** Whether PostgreSQL 15 is installed (and, when running as root, its system account exists). */
  public static boolean available() {
    return PrivatePostgres.available();
  }

  /**
   * Initialises and starts a cluster with durable commits ({@code fsync} on), as a production
   * database runs.
   */
  public static PostgresCluster start() throws IOException {
    return start(List.of());
  }

  /**
   * As {@link #start()}, with extra server settings ({@code name=value}, e.g. {@code fsync=off}).
   */
  public static PostgresCluster start(List<String> settings) throws IOException {
    List<String> all = new ArrayList<>(TEST_SETTINGS);
    all.addAll(settings);
    return new PostgresCluster(PrivatePostgres.start(all));
  }

  /** The production cluster behind this fixture. */
  public PrivatePostgres postgres() {
    return postgres;
  }

  /** The server's log so far. */
  public String log() {
    return postgres.log();
  }

  /** Runs SQL as the cluster's superuser over the private socket; the SQL goes on stdin. */
  public String psql(String database, String sql) throws IOException {
    return postgres.psql(database, sql);
  }

  /** A new, empty database owned by the login role; returns its JDBC URL. */
  public synchronized String createDatabase() throws IOException {
    return postgres.createDatabase("db" + (++databases));
  }

  public String jdbcUrl(String database) {
    return postgres.jdbcUrl(database);
  }

  public String user() {
    return postgres.user();
  }

  /** The login role's password (for a test's password file; never print it). */
  public String password() {
    return postgres.password();
  }

  public int port() {
    return postgres.port();
  }

  /** The cluster's directory (data directory and socket inside). */
  public Path dir() {
    return postgres.dir();
  }

  public Path dataDir() {
    return postgres.dataDir();
  }

  public Path socketDir() {
    return postgres.socketDir();
  }

  /** The pid of the postgres server this fixture started, or -1 when stopped. */
  public long pid() {
    return postgres.pid();
  }

  /** Stops the server (fast shutdown, SIGINT to the pid started here); the data stays. */
  public void stop() throws IOException {
    postgres.stop();
  }

  /** Starts the stopped server again on the same port and data. */
  public void restart() throws IOException {
    postgres.restart();
  }

  @Override
  public void close() {
    postgres.close();
  }
}
