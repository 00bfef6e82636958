package io.hpcwhisk.balancer.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The tables {@code servers} and {@code dispatch_queue}: the database side of dispatch across
 * several servers (see {@code ClusterDispatcher}). Every call is one committed transaction. Times
 * are the database's clock. The {@code NOTIFY} payloads are an activation id ({@link #DONE}) or
 * empty ({@link #WORK}): never a request, a result or a credential.
 */
public final class PostgresDispatchQueue {

  /** Channel: there is unclaimed work (empty payload). */
  public static final String WORK = "hpcw_work";

  /** Channel: an activation's outcome is stored (payload: the activation id). */
  public static final String DONE = "hpcw_done";

  private static final String NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

  private final PostgresStore db;

  PostgresDispatchQueue(PostgresStore db) {
    this.db = db;
  }

  /** This server's id on the database (see {@link PostgresStore#serverId()}). */
  public String serverId() {
    return db.serverId();
  }

  /** Writes or refreshes this server's heartbeat. */
  public void heartbeat(String serverId) {
    heartbeatAndCountOthers(serverId, 0);
  }

  /**
   * Writes or refreshes this server's heartbeat and, in the same transaction, counts the servers
   * other than {@code serverId} whose heartbeat is fresher than {@code staleMs}: the servers that
   * could claim an activation queued here.
   */
  public int heartbeatAndCountOthers(String serverId, long staleMs) {
    return db.tx("server heartbeat", c -> beat(c, serverId, staleMs));
  }

  private static int beat(Connection c, String serverId, long staleMs) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO servers (server_id, started_ms, heartbeat_ms) VALUES (?, "
                + NOW_MS
                + ", "
                + NOW_MS
                + ") ON CONFLICT (server_id) DO UPDATE SET heartbeat_ms ="
                + " EXCLUDED.heartbeat_ms")) {
      s.setString(1, serverId);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT count(*) FROM servers WHERE server_id <> ? AND heartbeat_ms > "
                + NOW_MS
                + " - ?")) {
      s.setString(1, serverId);
      s.setLong(2, staleMs);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  /** What a server still owns after it was silent: see {@link #heartbeatAndReadOwnership}. */
  public record Ownership(int othersAlive, Set<String> lost) {
    public Ownership {
      lost = Set.copyOf(lost);
    }
  }

  /**
   * Writes this server's heartbeat and, in the same transaction after it, reads which of the
   * activations it holds were taken over by another server while it was silent: of {@code accepted}
   * (activations it accepted), those whose pending entry another server now owns, or that have no
   * pending entry but a terminal record (another server ended them); of {@code claims} (activations
   * it claimed from the queue), those whose row it no longer holds. The heartbeat's upsert locks
   * this server's row in {@code servers}, and every take-over locks the rows of the servers it
   * takes from ({@link #lockGone}): so a take-over either committed before this read (and is seen)
   * or sees the fresh heartbeat and takes nothing.
   */
  public Ownership heartbeatAndReadOwnership(
      String serverId, long staleMs, Set<String> accepted, Set<String> claims) {
    return db.tx(
        "re-read what this server owns",
        c -> {
          // the heartbeat first: its row lock orders the reads below after any take-over that saw
          // the old heartbeat
          int others = beat(c, serverId, staleMs);
          Set<String> lost = new HashSet<>();
          if (!accepted.isEmpty()) {
            try (PreparedStatement s =
                c.prepareStatement(
                    "SELECT c.id FROM unnest(?) AS c(id) LEFT JOIN pending_activations p ON"
                        + " p.activation_id = c.id WHERE (p.activation_id IS NOT NULL AND p.owner"
                        + " <> ?) OR (p.activation_id IS NULL AND EXISTS (SELECT 1 FROM"
                        + " activation_records r WHERE r.activation_id = c.id))")) {
              s.setArray(1, c.createArrayOf("text", accepted.toArray()));
              s.setString(2, serverId);
              try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                  lost.add(r.getString(1));
                }
              }
            }
          }
          if (!claims.isEmpty()) {
            try (PreparedStatement s =
                c.prepareStatement(
                    "SELECT c.id FROM unnest(?) AS c(id) WHERE NOT EXISTS (SELECT 1 FROM"
                        + " dispatch_queue q WHERE q.activation_id = c.id AND q.claimed_by = ? AND"
                        + " q.outcome IS NULL)")) {
              s.setArray(1, c.createArrayOf("text", claims.toArray()));
              s.setString(2, serverId);
              try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                  lost.add(r.getString(1));
                }
              }
            }
          }
          return new Ownership(others, lost);
        });
  }

  /**
   * In a take-over's transaction, first: locks the rows in {@code servers} (in id order) of the
   * servers other than {@code except} whose heartbeat is older than {@code staleMs} and returns
   * their ids. A gone server's heartbeat (or its re-read of what it owns) waits for this
   * transaction; a heartbeat that committed first is seen here (the row is re-checked once locked)
   * and that server is not taken from.
   */
  static String[] lockGone(Connection c, String except, long staleMs) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT server_id FROM servers WHERE server_id <> ? AND heartbeat_ms < "
                + NOW_MS
                + " - ? ORDER BY server_id FOR UPDATE")) {
      s.setString(1, except);
      s.setLong(2, staleMs);
      List<String> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(r.getString(1));
        }
      }
      return out.toArray(String[]::new);
    }
  }

  /** Removes this server's heartbeat (a clean stop): its claims are taken back at once. */
  public void leave(String serverId) {
    db.tx(
        "server leaves",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM servers WHERE server_id = ?")) {
            s.setString(1, serverId);
            return s.executeUpdate();
          }
        });
  }

  /** Queues an unclaimed activation and notifies {@link #WORK} in the same commit. */
  public void enqueue(String activationId, String origin, boolean retrySafe, String request) {
    db.tx(
        "queue an activation for any server",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO dispatch_queue (activation_id, origin, queued_ms, retry_safe,"
                      + " request) VALUES (?, ?, "
                      + NOW_MS
                      + ", ?, ?)")) {
            s.setString(1, activationId);
            s.setString(2, origin);
            s.setBoolean(3, retrySafe);
            s.setString(4, request);
            s.executeUpdate();
          }
          notify(c, WORK, "");
          return null;
        });
  }

  /** A claimed activation: its id and run request. */
  public record Claim(String activationId, String request) {}

  /**
   * Claims the oldest unclaimed activation whose origin is alive ({@code SELECT … FOR UPDATE SKIP
   * LOCKED}: two servers never claim the same one), or empty.
   */
  public Optional<Claim> claim(String serverId, long staleMs) {
    return db.tx(
        "claim an activation",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE dispatch_queue q SET claimed_by = ?, claimed_ms = "
                      + NOW_MS
                      + ", claims = q.claims + 1 WHERE q.activation_id = (SELECT d.activation_id"
                      + " FROM dispatch_queue d JOIN servers o ON o.server_id = d.origin WHERE"
                      + " d.claimed_by IS NULL AND d.outcome IS NULL AND o.heartbeat_ms >= "
                      + NOW_MS
                      + " - ? ORDER BY d.queued_ms LIMIT 1 FOR UPDATE OF d SKIP LOCKED) RETURNING"
                      + " q.activation_id, q.request")) {
            s.setString(1, serverId);
            s.setLong(2, staleMs);
            try (ResultSet r = s.executeQuery()) {
              return r.next()
                  ? Optional.of(new Claim(r.getString(1), r.getString(2)))
                  : Optional.<Claim>empty();
            }
          }
        });
  }

  /**
   * Stores the outcome of an activation this server holds and notifies {@link #DONE}; false (and
   * nothing written) when the claim is no longer this server's (taken back, or already finished).
   */
  public boolean finish(String activationId, String serverId, String outcome) {
    return db.tx(
        "store a claimed activation's outcome",
        c -> {
          int n;
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE dispatch_queue SET outcome = ? WHERE activation_id = ? AND claimed_by ="
                      + " ? AND outcome IS NULL")) {
            s.setString(1, outcome);
            s.setString(2, activationId);
            s.setString(3, serverId);
            n = s.executeUpdate();
          }
          if (n == 1) {
            notify(c, DONE, activationId);
          }
          return n == 1;
        });
  }

  /** Records which pilot this server sent its claimed activation to. */
  public void sentTo(String activationId, String serverId, String pilotId) {
    db.tx(
        "record a claimed activation's pilot",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE dispatch_queue SET claimed_pilot = ? WHERE activation_id = ? AND"
                      + " claimed_by = ? AND outcome IS NULL")) {
            s.setString(1, pilotId);
            s.setString(2, activationId);
            s.setString(3, serverId);
            return s.executeUpdate();
          }
        });
  }

  /**
   * Stores the outcome a pilot delivers through another server than the one that sent it the
   * activation (its server was lost and it moved): only for a claimed activation that was sent to
   * exactly that pilot and has no outcome yet. Notifies {@link #DONE}; false when nothing matched.
   */
  public boolean deliver(String activationId, String pilotId, String outcome) {
    return db.tx(
        "store an outcome a moved pilot delivers",
        c -> {
          int n;
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE dispatch_queue SET outcome = ? WHERE activation_id = ? AND claimed_pilot"
                      + " = ? AND claimed_by IS NOT NULL AND outcome IS NULL")) {
            s.setString(1, outcome);
            s.setString(2, activationId);
            s.setString(3, pilotId);
            n = s.executeUpdate();
          }
          if (n == 1) {
            notify(c, DONE, activationId);
          }
          return n == 1;
        });
  }

  /**
   * Takes the stored outcome of an activation {@code origin} queued: deletes the row and returns
   * the outcome, or empty while there is none.
   */
  public Optional<String> take(String activationId, String origin) {
    return db.tx(
        "take a queued activation's outcome",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM dispatch_queue WHERE activation_id = ? AND origin = ? AND outcome"
                      + " IS NOT NULL RETURNING outcome")) {
            s.setString(1, activationId);
            s.setString(2, origin);
            try (ResultSet r = s.executeQuery()) {
              return r.next() ? Optional.of(r.getString(1)) : Optional.<String>empty();
            }
          }
        });
  }

  /**
   * Withdraws an activation {@code origin} queued that nobody claimed yet (its wait ran out); false
   * when it was claimed or finished meanwhile.
   */
  public boolean withdraw(String activationId, String origin) {
    return db.tx(
        "withdraw an unclaimed activation",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM dispatch_queue WHERE activation_id = ? AND origin = ? AND claimed_by"
                      + " IS NULL AND outcome IS NULL")) {
            s.setString(1, activationId);
            s.setString(2, origin);
            return s.executeUpdate() == 1;
          }
        });
  }

  /** An activation of {@code origin} held by a server that is gone. */
  public record Orphan(
      String activationId, String claimedBy, int claims, boolean retrySafe, long silentMs) {}

  /** What a decision about an {@link Orphan} does: queue it again, or store this outcome. */
  public record Verdict(String activationId, String claimedBy, String outcomeOrNull) {}

  /**
   * In one transaction: finds the activations {@code origin} queued that a gone server (heartbeat
   * older than {@code staleMs}, or no row) had claimed, locks them, and applies {@code decide} to
   * each: queued again (notifying {@link #WORK}) or given the outcome it returns (notifying {@link
   * #DONE}). Returns the verdicts applied.
   */
  public List<Verdict> reap(String origin, long staleMs, Function<Orphan, Verdict> decide) {
    return db.tx(
        "take back activations of gone servers",
        c -> {
          List<Orphan> orphans = new ArrayList<>();
          String[] gone = lockGone(c, origin, staleMs);
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT q.activation_id, q.claimed_by, q.claims, q.retry_safe, "
                      + NOW_MS
                      + " - coalesce(s.heartbeat_ms, 0) FROM dispatch_queue q LEFT JOIN servers s"
                      + " ON s.server_id = q.claimed_by WHERE q.origin = ? AND q.claimed_by IS NOT"
                      + " NULL AND q.outcome IS NULL AND (s.server_id IS NULL OR q.claimed_by ="
                      + " ANY (?)) FOR UPDATE OF q SKIP LOCKED")) {
            s.setString(1, origin);
            s.setArray(2, c.createArrayOf("text", gone));
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                orphans.add(
                    new Orphan(
                        r.getString(1),
                        r.getString(2),
                        r.getInt(3),
                        r.getBoolean(4),
                        r.getLong(5)));
              }
            }
          }
          List<Verdict> applied = new ArrayList<>();
          boolean requeued = false;
          for (Orphan o : orphans) {
            Verdict v = decide.apply(o);
            try (PreparedStatement s =
                c.prepareStatement(
                    "UPDATE dispatch_queue SET claimed_by = NULL, claimed_ms = NULL, claimed_pilot"
                        + " = NULL, outcome = ? WHERE activation_id = ? AND claimed_by = ? AND"
                        + " outcome IS NULL")) {
              s.setString(1, v.outcomeOrNull());
              s.setString(2, o.activationId());
              s.setString(3, o.claimedBy());
              if (s.executeUpdate() == 1) {
                applied.add(v);
                if (v.outcomeOrNull() == null) {
                  requeued = true;
                } else {
                  notify(c, DONE, o.activationId());
                }
              }
            }
          }
          if (requeued) {
            notify(c, WORK, "");
          }
          return applied;
        });
  }

  /**
   * Deletes rows whose origin has been gone for {@code goneMs} (nobody waits for them; the origin's
   * pending entries are recovered where it restarts). Returns how many.
   */
  public int sweepOrphanedOrigins(long goneMs) {
    return db.tx(
        "sweep queue rows of gone servers",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM dispatch_queue q WHERE NOT EXISTS (SELECT 1 FROM servers s WHERE"
                      + " s.server_id = q.origin AND s.heartbeat_ms >= "
                      + NOW_MS
                      + " - ?) AND q.queued_ms < "
                      + NOW_MS
                      + " - ?")) {
            s.setLong(1, goneMs);
            s.setLong(2, goneMs);
            return s.executeUpdate();
          }
        });
  }

  private static void notify(Connection c, String channel, String payload) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      s.setString(1, channel);
      s.setString(2, payload);
      s.execute();
    }
  }

  /**
   * A connection listening on {@link #WORK} and {@link #DONE}; {@link Listener#await} returns the
   * notifications. Closing it gives the connection back to the pool.
   */
  public Listener listen() {
    try {
      Connection c = db.connection();
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("LISTEN " + WORK);
        s.execute("LISTEN " + DONE);
      }
      return new Listener(c);
    } catch (SQLException e) {
      throw new StoreUnavailableException(
          "the PostgreSQL store " + db.url() + " is unavailable (listen): " + e.getMessage(), e);
    }
  }

  /** A notification: its channel and payload. */
  public record Note(String channel, String payload) {}

  /** A listening connection. */
  public static final class Listener implements AutoCloseable {
    private final Connection connection;

    private Listener(Connection connection) {
      this.connection = connection;
    }

    /** Waits up to {@code timeoutMs} for notifications; empty when none came. */
    public List<Note> await(int timeoutMs) throws SQLException {
      PGNotification[] got = connection.unwrap(PGConnection.class).getNotifications(timeoutMs);
      List<Note> notes = new ArrayList<>();
      if (got != null) {
        for (PGNotification n : got) {
          notes.add(new Note(n.getName(), n.getParameter()));
        }
      }
      return notes;
    }

    @Override
    public void close() {
      try (Statement s = connection.createStatement()) {
        s.execute("UNLISTEN *");
      } catch (SQLException ignored) {
        // a broken connection listens no more
      }
      try {
        connection.close();
      } catch (SQLException ignored) {
        // the pool drops a broken connection
      }
    }
  }
}
