package io.hpcwhisk.balancer.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.hpcwhisk.balancer.config.ServerConfig;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL store: a HikariCP pool over one database whose schema Flyway brings up to date at
 * open ({@code classpath:db/migration}). Every write runs in one transaction that has committed
 * when the call returns (PostgreSQL's default {@code synchronous_commit = on}: the commit is in the
 * write-ahead log on disk); the activations' durable writes share transactions when they arrive
 * together ({@link GroupCommit}), so one log flush serves many of them. A connection that cannot be
 * had within {@code connectTimeoutMs} fails the operation with a {@link StoreUnavailableException}
 * instead of hanging the caller.
 */
public final class PostgresStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);

  private final HikariDataSource pool;
  private final String url;
  private final GroupCommit writes;
  private final String serverId = newServerId();
  private volatile long serverStaleMs = 5000;

  private PostgresStore(HikariDataSource pool, String url, int writers) {
    this.pool = pool;
    this.url = url;
    this.writes = writers > 0 ? new GroupCommit(this, writers) : null;
  }

  /**
   * Writer threads of the group commit for a pool of {@code poolSize}: one per connection, so that
   * writes use the whole pool as they would without group commit (PostgreSQL then also flushes
   * concurrent commits together). A writer holds a connection only while it runs a batch, and the
   * first idle writer takes every write that waits: under load the batches grow by themselves.
   */
  static int defaultWriters(int poolSize) {
    return Math.max(1, poolSize);
  }

  /** Settings of a store (the password is read from its file by the caller, never logged). */
  public record Settings(
      String url, String user, String password, int poolSize, int connectTimeoutMs) {
    @Override
    public String toString() {
      return "Settings[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
  }

  /**
   * The store of {@code store.postgres}: reads and checks the password file (see {@link
   * PasswordFile}), connects and migrates.
   */
  public static PostgresStore open(ServerConfig.Postgres p) {
    String password = PasswordFile.read(p.passwordPath());
    PostgresStore store =
        open(new Settings(p.url(), p.user(), password, p.poolSize(), p.connectTimeoutMs()));
    store.serverStaleMs = p.serverStaleMs();
    return store;
  }

  /**
   * Connects, migrates the schema and returns the store.
   *
   * @throws IllegalStateException when the database cannot be reached or migrated (the message
   *     names the URL and user, never the password)
   */
  public static PostgresStore open(Settings s) {
    return open(s, defaultWriters(s.poolSize()));
  }

  /**
   * As {@link #open(Settings)} with {@code writers} group-commit writer threads; 0 runs each write
   * in its own transaction on the caller's thread (the benchmark's baseline).
   */
  public static PostgresStore open(Settings s, int writers) {
    HikariConfig c = new HikariConfig();
    c.setPoolName("hpc-whisk-store");
    c.setJdbcUrl(s.url());
    c.setUsername(s.user());
    c.setPassword(s.password());
    c.setMaximumPoolSize(s.poolSize());
    c.setMinimumIdle(Math.min(2, s.poolSize()));
    c.setConnectionTimeout(s.connectTimeoutMs());
    c.setValidationTimeout(Math.min(s.connectTimeoutMs(), 5000));
    c.setInitializationFailTimeout(s.connectTimeoutMs());
    c.setAutoCommit(false);
    c.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    // a dead peer must not hang a request thread on a socket read: 60 s is far above any statement
    c.addDataSourceProperty("socketTimeout", "60");
    c.addDataSourceProperty(
        "connectTimeout", Integer.toString(Math.max(1, s.connectTimeoutMs() / 1000)));
    c.addDataSourceProperty("tcpKeepAlive", "true");
    c.addDataSourceProperty("ApplicationName", "hpc-whisk");
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(c);
    } catch (HikariPool.PoolInitializationException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "cannot connect to the PostgreSQL store "
              + s.url()
              + " as "
              + s.user()
              + ": "
              + rootMessage(e),
          e);
    }
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations("classpath:db/migration")
          .table("hpc_whisk_schema_history")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new IllegalStateException(
          "cannot bring the schema of the PostgreSQL store "
              + s.url()
              + " up to date: "
              + rootMessage(e),
          e);
    }
    LOG.info(
        "PostgreSQL store {} as {} (pool of {}, connection timeout {} ms)",
        s.url(),
        s.user(),
        s.poolSize(),
        s.connectTimeoutMs());
    return new PostgresStore(ds, s.url(), writers);
  }

  private static String rootMessage(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + r.getMessage() + ")";
  }

  /** One unit of work on a connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction and commits it; a failure rolls it back. A connection
   * failure (no connection within the timeout, the database gone) is a {@link
   * StoreUnavailableException}; another SQL failure an {@link IllegalStateException}.
   */
  <T> T tx(String what, Work<T> work) {
    try (Connection c = pool.getConnection()) {
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // the connection is broken; the pool drops it
        }
        throw e;
      }
    } catch (SQLException e) {
      if (unavailable(e)) {
        throw new StoreUnavailableException(
            "the PostgreSQL store " + url + " is unavailable (" + what + "): " + e.getMessage(), e);
      }
      throw new IllegalStateException(
          "the PostgreSQL store failed (" + what + "): " + e.getMessage(), e);
    }
  }

  /**
   * Runs one statement in its own transaction, or (with group commit, the default) in a transaction
   * it may share with other writes waiting at the same time (see {@link GroupCommit}); committed
   * when the call returns.
   *
   * @param key what the statement touches (statements on one key keep their order)
   * @return the statement's update count
   */
  int grouped(String what, String key, String sql, GroupCommit.Binder binder) {
    if (writes != null) {
      return writes.run(what, key, sql, binder);
    }
    return tx(
        what,
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql)) {
            binder.bind(s);
            return s.executeUpdate();
          }
        });
  }

  /**
   * As {@link #grouped} without blocking the caller: the future completes once the statement has
   * committed, on a store thread (never the caller's); without group commit the statement runs now,
   * on the caller's thread.
   */
  CompletableFuture<Integer> groupedAsync(
      String what, String key, String sql, GroupCommit.Binder binder) {
    if (writes != null) {
      return writes.submit(what, key, sql, binder);
    }
    try {
      return CompletableFuture.completedFuture(grouped(what, key, sql, binder));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * This process's name among the servers on the database ({@code host-pid-random}): the owner of
   * the activations it accepts and its row in {@code servers}.
   */
  public String serverId() {
    return serverId;
  }

  /**
   * A server whose heartbeat is older than this is gone ({@code store.postgres.server-stale-ms}).
   */
  long serverStaleMs() {
    return serverStaleMs;
  }

  private static String newServerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "server";
    }
    byte[] b = new byte[4];
    new SecureRandom().nextBytes(b);
    return host + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(b);
  }

  /** Connection-class failures (SQLSTATE 08xxx, 57P0x shutdown) and pool timeouts. */
  static boolean unavailable(SQLException e) {
    if (e instanceof SQLTransientConnectionException) {
      return true;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P")) {
          return true;
        }
      }
      if (t instanceof SocketException || t instanceof EOFException) {
        return true;
      }
    }
    return false;
  }

  public PostgresEntityStore entities() {
    return new PostgresEntityStore(this);
  }

  public PostgresActivationStore activations() {
    return new PostgresActivationStore(this);
  }

  public PostgresPilotBindingStore pilotBindings() {
    return new PostgresPilotBindingStore(this);
  }

  /** The users, shared by every server on this database (table {@code identities}). */
  public PostgresUserRecords users() {
    return new PostgresUserRecords(this);
  }

  /** The alarms of {@code /whisk.system/alarms} (table {@code alarms}). */
  public PostgresAlarmStore alarms() {
    return new PostgresAlarmStore(this);
  }

  /** The tables of dispatch across several servers ({@code servers}, {@code dispatch_queue}). */
  public PostgresDispatchQueue dispatchQueue() {
    return new PostgresDispatchQueue(this);
  }

  /** A pooled connection of its own (a listener); the caller closes it. */
  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  public String url() {
    return url;
  }

  @Override
  public void close() {
    if (writes != null) {
      writes.close();
    }
    pool.close();
  }
}
