package io.hpcwhisk.balancer.store.postgres;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on PostgreSQL: whoever holds the session-level advisory lock {@code key} on its
 * own dedicated connection is the leader until that session ends; the retry, the {@link #CHECK},
 * stepping down ({@link Listener#deposed} runs before the connection closes), {@link
 * #IDLE_SESSION_TIMEOUT} and the gauge are stated in docs/admin-guide.md §7, "Several servers (high
 * availability)", "Exactly one harvest controller". The password goes to the JDBC driver only,
 * never to a log.
 */
public final class LeaderElection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  /** The advisory lock of the harvest controller (the bytes of "hpcwHARV"). */
  public static final long CONTROLLER_LOCK = 0x6870637748415256L;

  /** How often a non-leader tries to take the lock. */
  public static final Duration RETRY = Duration.ofSeconds(2);

  /** How often the leader checks its session. */
  public static final Duration CHECK = Duration.ofSeconds(1);

  /** The socket timeout of the election's connection: a check that hangs longer fails. */
  public static final int SOCKET_TIMEOUT_SECONDS = 4;

  /** The database ends the election's session when it is idle this long. */
  public static final Duration IDLE_SESSION_TIMEOUT = Duration.ofSeconds(10);

  /** The metric: 1 while leader, else 0. */
  public static final String METRIC = "hpcwhisk.controller.leader";

  /** Told when this election gains or loses the lock; called on the election's thread. */
  public interface Listener {
    /**
     * This election now holds the lock. An exception gives it up again (it is retried after {@code
     * retry}).
     */
    void elected();

    /** This election no longer holds the lock (or is being closed); stop leading now. */
    void deposed(String reason);
  }

  private final PostgresStore.Settings settings;
  private final long key;
  private final Duration retry;
  private final Listener listener;
  private final String name;
  private final AtomicInteger leader = new AtomicInteger();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;
  private Connection connection;
  private volatile String lastError = "";

  private LeaderElection(
      PostgresStore.Settings settings,
      long key,
      Duration retry,
      MeterRegistry registry,
      Listener listener,
      String name) {
    this.settings = settings;
    this.key = key;
    this.retry = retry;
    this.listener = listener;
    this.name = name;
    Gauge.builder(METRIC, leader, AtomicInteger::get)
        .description("1 while this server holds the controller's leader lock on PostgreSQL, else 0")
        .register(registry);
    this.thread = new Thread(this::loop, "leader-election");
    this.thread.setDaemon(true);
  }

  /**
   * Starts competing for {@code key}.
   *
   * @param name how this server is named in the log lines (e.g. its API address)
   */
  public static LeaderElection start(
      PostgresStore.Settings settings,
      long key,
      Duration retry,
      MeterRegistry registry,
      Listener listener,
      String name) {
    LeaderElection e = new LeaderElection(settings, key, retry, registry, listener, name);
    e.thread.start();
    return e;
  }

  /** Whether this election holds the lock now. */
  public boolean leader() {
    return leader.get() == 1;
  }

  /** The last reason the lock could not be taken or was lost (empty: none yet). */
  public String lastError() {
    return lastError;
  }

  private void loop() {
    try {
      while (stop.getCount() > 0) {
        if (leader()) {
          check();
          stop.await(CHECK.toMillis(), TimeUnit.MILLISECONDS);
        } else {
          tryTake();
          if (!leader()) {
            stop.await(retry.toMillis(), TimeUnit.MILLISECONDS);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (leader()) {
        stepDown("the server is stopping");
      }
      release();
    }
  }

  private void tryTake() {
    try {
      if (connection == null) {
        connection = connect();
      }
      boolean got;
      try (Statement st = connection.createStatement()) {
        st.setQueryTimeout(SOCKET_TIMEOUT_SECONDS);
        try (ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + key + ")")) {
          got = rs.next() && rs.getBoolean(1);
        }
      }
      if (!got) {
        return;
      }
    } catch (SQLException e) {
      noteError("cannot reach the database for the leader lock: " + e.getMessage());
      closeConnection();
      return;
    }
    leader.set(1);
    lastError = "";
    LOG.info(
        "{} gained leadership (PostgreSQL advisory lock {} on {}): the harvest controller runs"
            + " here",
        name,
        key,
        settings.url());
    try {
      listener.elected();
    } catch (RuntimeException e) {
      LOG.error("{}: leading failed to start ({}); giving the lock up", name, e.getMessage(), e);
      stepDown("leading failed to start: " + e.getMessage());
      release();
    }
  }

  private void check() {
    try (Statement st = connection.createStatement()) {
      st.setQueryTimeout(SOCKET_TIMEOUT_SECONDS);
      try (ResultSet rs = st.executeQuery("SELECT 1")) {
        rs.next();
      }
    } catch (SQLException | RuntimeException e) {
      stepDown("the lock's database session is lost: " + e.getMessage());
      closeConnection();
    }
  }

  private void stepDown(String reason) {
    leader.set(0);
    lastError = reason;
    LOG.warn("{} lost leadership: {}; the harvest controller stops here", name, reason);
    try {
      listener.deposed(reason);
    } catch (RuntimeException e) {
      LOG.error("{}: error while stepping down", name, e);
    }
  }

  /** Unlocks (when the session still works) and closes the connection. */
  private void release() {
    if (connection == null) {
      return;
    }
    try (Statement st = connection.createStatement()) {
      st.setQueryTimeout(SOCKET_TIMEOUT_SECONDS);
      st.execute("SELECT pg_advisory_unlock_all()");
    } catch (SQLException e) {
      // the session is gone, and the lock with it
    }
    closeConnection();
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // already broken
      }
      connection = null;
    }
  }

  private void noteError(String message) {
    if (!message.equals(lastError)) {
      LOG.warn("{}: {} (retrying every {} s)", name, message, retry.toSeconds());
    }
    lastError = message;
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", settings.user());
    p.setProperty("password", settings.password());
    p.setProperty("connectTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
    p.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
    p.setProperty("loginTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", "hpc-whisk-leader");
    Connection c = DriverManager.getConnection(settings.url(), p);
    try (Statement st = c.createStatement()) {
      st.execute(
          "SET idle_session_timeout = '"
              + IDLE_SESSION_TIMEOUT.toMillis()
              + "ms';"
              + " SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2;"
              + " SET tcp_keepalives_count = 2");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Stops competing: a leader steps down (listener told) and unlocks. Waits for the thread. */
  @Override
  public void close() {
    stop.countDown();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
