package io.hpcwhisk.balancer.store.postgres;

import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.store.ActivationQuery;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.PendingActivation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ActivationStore} on the tables {@code pending_activations} and {@code activation_records}.
 * {@link #accept} has committed when it returns (its transaction may be shared with other
 * activations' writes: {@link GroupCommit}) (also for {@link #acceptLazily}: a database store keeps
 * nothing in memory). {@link #complete} inserts the record and deletes the pending entry in one
 * transaction; the record's primary key makes a second terminal record for the same id impossible:
 * the first one stays, the second is not written (logged), and the pending entry is gone either
 * way.
 */
public final class PostgresActivationStore implements ActivationStore {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresActivationStore.class);

  private final PostgresStore db;

  PostgresActivationStore(PostgresStore db) {
    this.db = db;
  }

  @Override
  public void accept(PendingActivation p) {
    String body = Json.write(p);
    db.grouped(
        "accept an activation",
        p.activationId(),
        "INSERT INTO pending_activations (activation_id, namespace, body, owner) VALUES (?, ?, ?,"
            + " ?) ON CONFLICT (activation_id) DO UPDATE SET body = EXCLUDED.body",
        s -> {
          s.setString(1, p.activationId());
          s.setString(2, p.namespace());
          s.setString(3, body);
          s.setString(4, db.serverId());
        });
  }

  @Override
  public void updatePending(PendingActivation p) {
    accept(p);
  }

  @Override
  public void complete(ActivationRecord r) {
    try {
      completeAsync(r).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * As {@link #complete} without blocking the caller (a pilot's result is handled on the thread
   * that reads the pilot's connection): the future completes, on a store thread, once the record
   * has committed, so the results of concurrent activations share commits.
   */
  @Override
  public CompletableFuture<Void> completeAsync(ActivationRecord r) {
    String body = Json.write(r);
    String path = r.name();
    var annotated = KeyValue.find(r.annotations(), "path");
    if (annotated != null && annotated.isTextual()) {
      path = annotated.asText();
    }
    String recordPath = path;
    // one statement: the pending entry goes and the record comes in the same transaction
    return db.groupedAsync(
            "store an activation record",
            r.activationId(),
            "WITH gone AS (DELETE FROM pending_activations WHERE activation_id = ?)"
                + " INSERT INTO activation_records"
                + " (activation_id, namespace, path, start_ms, end_ms, body)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (activation_id) DO NOTHING",
            s -> {
              s.setString(1, r.activationId());
              s.setString(2, r.activationId());
              s.setString(3, r.namespace());
              s.setString(4, recordPath);
              s.setLong(5, r.start());
              s.setLong(6, r.end());
              s.setString(7, body);
            })
        .thenAccept(
            written -> {
              if (written == 0) {
                LOG.warn(
                    "activation {} of {} already has its terminal record; a second one was not"
                        + " written",
                    r.activationId(),
                    r.namespace());
              }
            });
  }

  @Override
  public Optional<ActivationRecord> get(String namespace, String activationId) {
    String json =
        db.tx(
            "read an activation record",
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT body FROM activation_records WHERE activation_id = ? AND namespace ="
                          + " ?")) {
                s.setString(1, activationId);
                s.setString(2, namespace);
                try (ResultSet rs = s.executeQuery()) {
                  return rs.next() ? rs.getString(1) : null;
                }
              }
            });
    return json == null ? Optional.empty() : Optional.ofNullable(readRecord(activationId, json));
  }

  /** The WHERE clause of a query (parameters in order: namespace, [since], [upto], [name]). */
  private static String where(ActivationQuery q) {
    StringBuilder w = new StringBuilder(" WHERE namespace = ?");
    if (q.since() != null) {
      w.append(" AND start_ms >= ?");
    }
    if (q.upto() != null) {
      w.append(" AND start_ms <= ?");
    }
    if (q.name() != null) {
      // the simple name (after the last '/') equals a plain name; a pkg/name ends the path
      w.append(
          q.name().contains("/")
              ? " AND right(path, char_length(?)) = ?"
              : " AND (path = ? OR right(path, char_length(?)) = ?)");
    }
    return w.toString();
  }

  private static int bind(PreparedStatement s, String namespace, ActivationQuery q)
      throws SQLException {
    int i = 1;
    s.setString(i++, namespace);
    if (q.since() != null) {
      s.setLong(i++, q.since());
    }
    if (q.upto() != null) {
      s.setLong(i++, q.upto());
    }
    if (q.name() != null) {
      String suffix = "/" + q.name();
      if (!q.name().contains("/")) {
        s.setString(i++, q.name());
      }
      s.setString(i++, suffix);
      s.setString(i++, suffix);
    }
    return i;
  }

  @Override
  public List<ActivationRecord> list(String namespace, ActivationQuery q) {
    if (q.limit() == 0) {
      return List.of();
    }
    List<String[]> rows =
        db.tx(
            "list activation records",
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT activation_id, body FROM activation_records"
                          + where(q)
                          + " ORDER BY start_ms DESC, activation_id OFFSET ? LIMIT ?")) {
                int i = bind(s, namespace, q);
                s.setLong(i++, q.skip());
                s.setLong(i, q.limit());
                List<String[]> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                  while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2)});
                  }
                }
                return out;
              }
            });
    List<ActivationRecord> out = new ArrayList<>();
    for (String[] row : rows) {
      ActivationRecord r = readRecord(row[0], row[1]);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public long count(String namespace, ActivationQuery q) {
    return db.tx(
        "count activation records",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT count(*) FROM activation_records" + where(q))) {
            bind(s, namespace, q);
            try (ResultSet rs = s.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  private List<String[]> pendingRows() {
    return db.tx(
        "read pending activations",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT activation_id, body FROM pending_activations ORDER BY activation_id")) {
            List<String[]> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(new String[] {rs.getString(1), rs.getString(2)});
              }
            }
            return out;
          }
        });
  }

  @Override
  public List<PendingActivation> pending() {
    List<PendingActivation> out = new ArrayList<>();
    for (String[] row : pendingRows()) {
      try {
        out.add(Json.read(row[1], PendingActivation.class));
      } catch (RuntimeException e) {
        // left to scanPending(), which quarantines it
      }
    }
    return out;
  }

  /**
   * Takes over, in one statement, the pending activations this server may recover: its own, those
   * written before owners were kept, and those of servers without a fresh heartbeat (gone); never
   * those of a live server. Returns them (id, body).
   */
  private List<String[]> adoptRows() {
    return db.tx(
        "take over pending activations",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE pending_activations p SET owner = ? WHERE p.owner IS NULL OR p.owner = ?"
                      + " OR p.owner = ANY (?) OR NOT EXISTS (SELECT 1 FROM servers s WHERE"
                      + " s.server_id = p.owner) RETURNING p.activation_id, p.body")) {
            String[] gone = PostgresDispatchQueue.lockGone(c, db.serverId(), db.serverStaleMs());
            s.setString(1, db.serverId());
            s.setString(2, db.serverId());
            s.setArray(3, c.createArrayOf("text", gone));
            List<String[]> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(new String[] {rs.getString(1), rs.getString(2)});
              }
            }
            dropQueueRows(c, out);
            out.sort((x, y) -> x[0].compareTo(y[0]));
            return out;
          }
        });
  }

  /**
   * In the transaction that takes over pending activations: deletes their rows in {@code
   * dispatch_queue}, which belong to the dispatch of a server that is gone (or of this server's
   * earlier run). The new owner dispatches each again from scratch (or ends it), so its queue row,
   * if any, is inserted anew and never meets the old one; an old claim's late outcome finds no row
   * and is dropped ({@code PostgresDispatchQueue.finish}). Without this, the old row would refuse
   * the new one (primary key) until the sweep of gone origins.
   */
  private static void dropQueueRows(Connection c, List<String[]> adopted) throws SQLException {
    if (adopted.isEmpty()) {
      return;
    }
    String[] ids = adopted.stream().map(r -> r[0]).toArray(String[]::new);
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM dispatch_queue WHERE activation_id = ANY (?)")) {
      s.setArray(1, c.createArrayOf("text", ids));
      int n = s.executeUpdate();
      if (n > 0) {
        LOG.info(
            "took over {} pending activations; {} of them had a queue row of the gone server,"
                + " deleted",
            ids.length,
            n);
      }
    }
  }

  /**
   * Takes over, in one statement, the pending activations of other servers that are gone (no fresh
   * heartbeat), never a live server's nor this server's own (which are in flight here), and deletes
   * their rows in {@code dispatch_queue} in the same transaction ({@link #dropQueueRows}); returns
   * those that read back. One that does not read back stays, owned by this server, for its next
   * start's recovery to quarantine.
   */
  @Override
  public List<PendingActivation> adoptOrphans() {
    List<String[]> rows =
        db.tx(
            "take over the pending activations of servers that are gone",
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "UPDATE pending_activations p SET owner = ? WHERE p.owner IS NOT NULL AND"
                          + " p.owner <> ? AND (p.owner = ANY (?) OR NOT EXISTS (SELECT 1 FROM"
                          + " servers s WHERE s.server_id = p.owner)) RETURNING p.activation_id,"
                          + " p.body")) {
                // the gone servers' rows locked first: see PostgresDispatchQueue.lockGone
                String[] gone =
                    PostgresDispatchQueue.lockGone(c, db.serverId(), db.serverStaleMs());
                s.setString(1, db.serverId());
                s.setString(2, db.serverId());
                s.setArray(3, c.createArrayOf("text", gone));
                List<String[]> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                  while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2)});
                  }
                }
                dropQueueRows(c, out);
                return out;
              }
            });
    List<PendingActivation> out = new ArrayList<>();
    for (String[] row : rows) {
      try {
        out.add(Json.read(row[1], PendingActivation.class));
      } catch (RuntimeException e) {
        LOG.error(
            "pending activation {} of a server that is gone does not read back; kept for this"
                + " server's next start",
            row[0]);
      }
    }
    return out;
  }

  /**
   * The pending activations this server recovers at start: with several servers on the database,
   * only its own and those of servers that are gone, taken over atomically ({@link #adoptRows}).
   */
  @Override
  public PendingScan scanPending() {
    List<PendingActivation> readable = new ArrayList<>();
    List<UnreadablePending> unreadable = new ArrayList<>();
    for (String[] row : adoptRows()) {
      String id = row[0];
      String json = row[1];
      try {
        readable.add(Json.read(json, PendingActivation.class));
        continue;
      } catch (RuntimeException e) {
        String reason = Json.readFailure(e);
        quarantine(db, "pending", id, json, reason);
        String key = "pending/" + id;
        Map<String, String> f = Json.salvage(json);
        String namespace = f.get("namespace");
        String action = f.get("action");
        if (namespace == null || action == null || !id.equals(f.getOrDefault("activationId", id))) {
          db.tx(
              "drop an illegible pending activation",
              c -> {
                try (PreparedStatement s =
                    c.prepareStatement("DELETE FROM pending_activations WHERE activation_id = ?")) {
                  s.setString(1, id);
                  return s.executeUpdate();
                }
              });
          LOG.error(
              "pending activation {} is not legible enough to end it with a record (no namespace or"
                  + " action); dropped from the pending entries, kept in quarantine as {}",
              id,
              key);
          continue;
        }
        LOG.error(
            "pending activation {} does not read back ({}); kept in quarantine as {}",
            id,
            reason,
            key);
        unreadable.add(
            new UnreadablePending(
                id,
                namespace,
                f.get("subject"),
                action,
                f.get("cause"),
                parseLong(f.get("acceptedAt")),
                reason,
                key));
      }
    }
    return new PendingScan(readable, unreadable);
  }

  private static long parseLong(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Copies an entry that does not read back to the table {@code quarantine}; true when new. */
  static boolean quarantine(PostgresStore db, String map, String key, String body, String reason) {
    return db.tx(
        "quarantine an entry",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO quarantine (map, key, body, reason) VALUES (?, ?, ?, ?)"
                      + " ON CONFLICT (map, key) DO NOTHING")) {
            s.setString(1, map);
            s.setString(2, key);
            s.setString(3, body);
            s.setString(4, reason);
            return s.executeUpdate() > 0;
          }
        });
  }

  /**
   * The record, or (when it does not read back) a whisk internal error record built from what is
   * legible, the original kept in the quarantine; null when not even its namespace is legible.
   */
  private ActivationRecord readRecord(String id, String json) {
    try {
      return Json.read(json, ActivationRecord.class);
    } catch (RuntimeException e) {
      String reason = Json.readFailure(e);
      if (quarantine(db, "activations", id, json, reason)) {
        LOG.error(
            "activation record {} does not read back ({}); kept as it was in the table"
                + " 'quarantine', answered as a whisk error",
            id,
            reason);
      }
      Map<String, String> f = Json.salvage(json);
      if (f.get("namespace") == null) {
        return null;
      }
      long start = parseLong(f.get("start"));
      long end = Math.max(start, parseLong(f.get("end")));
      return new ActivationRecord(
          id,
          f.get("namespace"),
          f.getOrDefault("name", "unknown"),
          f.getOrDefault("version", "0.0.0"),
          f.get("subject"),
          start,
          end,
          end - start,
          ActivationResponse.whiskError(
              "The stored record of this activation does not read back ("
                  + reason
                  + "); the server keeps the original in its quarantine."),
          List.of(),
          List.of(),
          false,
          f.get("cause"));
    }
  }

  @Override
  public int expire(long cutoffMillis) {
    return db.tx(
        "expire activation records",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM activation_records WHERE end_ms < ?")) {
            s.setLong(1, cutoffMillis);
            return s.executeUpdate();
          }
        });
  }
}
