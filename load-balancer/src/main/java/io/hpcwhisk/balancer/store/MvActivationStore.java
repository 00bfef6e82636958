package io.hpcwhisk.balancer.store;

import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ActivationStore} on four MVStore maps: {@code activations} (id → record JSON), {@code
 * activationsByNamespace} ({@code ns|reverse-start|id} → path, newest first), {@code
 * activationsByEnd} ({@code end|id} → namespace, for expiry) and {@code pending} (id → accepted
 * activation JSON). A lazily accepted activation stays in memory until a {@link #sync()} needs it
 * durable; most end first, and their pending entry is never written at all.
 */
public final class MvActivationStore implements ActivationStore {

  private static final char SEP = '\u0001';
  private static final Logger LOG = LoggerFactory.getLogger(MvActivationStore.class);

  private final MvStoreDatabase db;
  private final StoreMap records;
  private final StoreMap byNamespace;
  private final StoreMap byEnd;
  private final StoreMap pending;

  /** Entries that did not read back, kept as they were: {@code map SEP key} → stored value. */
  private final StoreMap quarantine;

  /**
   * Lazily accepted activations not written to {@code pending} (yet); see {@link #acceptLazily}.
   */
  private final ConcurrentHashMap<String, PendingActivation> lazy = new ConcurrentHashMap<>();

  MvActivationStore(MvStoreDatabase db) {
    this.db = db;
    this.records = db.map("activations");
    this.byNamespace = db.map("activationsByNamespace");
    this.byEnd = db.map("activationsByEnd");
    this.pending = db.map("pending");
    this.quarantine = db.map("quarantine");
  }

  private static String nsKey(String namespace, long start, String id) {
    return namespace + SEP + padded(Long.MAX_VALUE - start) + SEP + id;
  }

  private static String endKey(long end, String id) {
    return padded(end) + SEP + id;
  }

  /** A non-negative long as 19 digits, so that keys sort in numeric order. */
  static String padded(long value) {
    String digits = Long.toString(value);
    return "0".repeat(19 - digits.length()) + digits;
  }

  @Override
  public void accept(PendingActivation p) {
    pending.put(p.activationId(), Json.write(p));
    db.commit();
  }

  /**
   * Keeps the entry in memory only: a blocking invocation's caller learns the id with the terminal
   * record (whose commit then needs no pending entry) or after {@link #sync()}, which writes the
   * entries still held. A crash before either loses an activation nobody was told about.
   */
  @Override
  public void acceptLazily(PendingActivation p) {
    lazy.put(p.activationId(), p);
  }

  @Override
  public CompletableFuture<Void> sync() {
    for (String id : lazy.keySet()) {
      // written and forgotten in one step, so a completion racing it removes either this or the
      // entry
      lazy.computeIfPresent(
          id,
          (key, p) -> {
            pending.put(key, Json.write(p));
            return null;
          });
    }
    return db.commitAsync();
  }

  @Override
  public void updatePending(PendingActivation p) {
    lazy.remove(p.activationId());
    pending.put(p.activationId(), Json.write(p));
    db.commit();
  }

  @Override
  public void complete(ActivationRecord r) {
    completeAsync(r).join();
  }

  /** Makes checking for an existing record and writing one a single step. */
  private final Object completing = new Object();

  /**
   * Writes the record unless the id already has one: exactly one terminal record per activation,
   * the first; a second is not written (logged when it differs), and the pending entry is dropped
   * either way.
   */
  @Override
  public CompletableFuture<Void> completeAsync(ActivationRecord r) {
    String json = Json.write(r);
    synchronized (completing) {
      String existing = records.get(r.activationId());
      if (existing != null) {
        if (!existing.equals(json)) {
          LOG.warn(
              "activation {} of {} already has its terminal record; a second one was not written",
              r.activationId(),
              r.namespace());
        }
        if (lazy.remove(r.activationId()) == null) {
          pending.remove(r.activationId());
        }
        return db.commitAsync();
      }
      writeRecord(r, json);
    }
    return db.commitAsync();
  }

  private void writeRecord(ActivationRecord r, String json) {
    // Record first, then the pending entry: a crash in between leaves both, and recovery drops the
    // pending entry of an id that already has its record.
    records.put(r.activationId(), json);
    String path = r.name();
    var annotated = KeyValue.find(r.annotations(), "path");
    if (annotated != null && annotated.isTextual()) {
      path = annotated.asText();
    }
    byNamespace.put(nsKey(r.namespace(), r.start(), r.activationId()), path);
    byEnd.put(endKey(r.end(), r.activationId()), r.namespace());
    if (lazy.remove(r.activationId()) == null) {
      pending.remove(r.activationId());
    }
  }

  @Override
  public Optional<ActivationRecord> get(String namespace, String activationId) {
    String json = records.get(activationId);
    if (json == null) {
      return Optional.empty();
    }
    ActivationRecord r = readRecord(activationId, json);
    return r != null && r.namespace().equals(namespace) ? Optional.of(r) : Optional.empty();
  }

  private Iterator<String> namespaceKeys(String namespace) {
    return byNamespace.keyIterator(namespace + SEP);
  }

  private static String[] split(String key) {
    int first = key.lastIndexOf(SEP, key.lastIndexOf(SEP) - 1);
    String reverse = key.substring(first + 1, key.lastIndexOf(SEP));
    return new String[] {key.substring(0, first), reverse, key.substring(key.lastIndexOf(SEP) + 1)};
  }

  private interface Visitor {
    /** Returns false to stop. */
    boolean visit(String id);
  }

  private void scan(String namespace, ActivationQuery q, Visitor visitor) {
    Iterator<String> keys = namespaceKeys(namespace);
    while (keys.hasNext()) {
      String key = keys.next();
      String[] parts = split(key);
      if (!parts[0].equals(namespace)) {
        break;
      }
      long start = Long.MAX_VALUE - Long.parseLong(parts[1]);
      if (q.since() != null && start < q.since()) {
        break; // newest first: everything after is older still
      }
      String path = byNamespace.get(key);
      if (path == null) {
        continue;
      }
      String simple = path.substring(path.lastIndexOf('/') + 1);
      if (q.matches(simple, path, start) && !visitor.visit(parts[2])) {
        return;
      }
    }
  }

  @Override
  public List<ActivationRecord> list(String namespace, ActivationQuery q) {
    List<ActivationRecord> out = new ArrayList<>();
    int[] toSkip = {q.skip()};
    scan(
        namespace,
        q,
        id -> {
          if (toSkip[0] > 0) {
            toSkip[0]--;
            return true;
          }
          if (out.size() >= q.limit()) {
            return false;
          }
          String json = records.get(id);
          ActivationRecord r = json == null ? null : readRecord(id, json);
          if (r != null) {
            out.add(r);
          }
          return out.size() < q.limit();
        });
    return out;
  }

  @Override
  public long count(String namespace, ActivationQuery q) {
    long[] n = {0};
    scan(
        namespace,
        q,
        id -> {
          n[0]++;
          return true;
        });
    return n[0];
  }

  @Override
  public List<PendingActivation> pending() {
    List<PendingActivation> out = new ArrayList<>(lazy.values());
    for (String json : pending.values()) {
      try {
        out.add(Json.read(json, PendingActivation.class));
      } catch (RuntimeException e) {
        // an unreadable entry is left to scanPending(), which quarantines it
      }
    }
    return out;
  }

  @Override
  public PendingScan scanPending() {
    List<PendingActivation> readable = new ArrayList<>(lazy.values());
    List<UnreadablePending> unreadable = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    pending.keyIterator(null).forEachRemaining(ids::add);
    boolean changed = false;
    for (String id : ids) {
      String json = pending.get(id);
      if (json == null) {
        continue;
      }
      try {
        readable.add(Json.read(json, PendingActivation.class));
        continue;
      } catch (RuntimeException e) {
        String reason = Json.readFailure(e);
        String key = quarantine("pending", id, json, reason);
        changed = true;
        Map<String, String> f = Json.salvage(json);
        String namespace = f.get("namespace");
        String action = f.get("action");
        if (namespace == null || action == null || !id.equals(f.getOrDefault("activationId", id))) {
          pending.remove(id);
          LOG.error(
              "pending activation {} is not legible enough to end it with a record (no namespace or"
                  + " action); dropped from the pending entries, kept in quarantine as {}",
              id,
              key);
          continue;
        }
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
    if (changed) {
      db.commit();
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

  /**
   * Copies an unreadable entry to the quarantine map, logs it with its key; returns its quarantine
   * key.
   */
  private String quarantine(String map, String key, String stored, String reason) {
    String qkey = map + SEP + key;
    quarantine.put(qkey, stored);
    LOG.error(
        "store entry {} of map '{}' does not read back ({}); kept as it was ({} characters) in the"
            + " map 'quarantine' under key '{}' + U+0001 + '{}'",
        key,
        map,
        reason,
        stored.length(),
        map,
        key);
    return map + "/" + key;
  }

  /**
   * The record stored under {@code id}; a record that does not read back is quarantined and
   * replaced by a whisk internal error record built from what is still legible of it (null when not
   * even its namespace is), so that its GET and the namespace's list answer instead of failing
   * every time.
   */
  private ActivationRecord readRecord(String id, String json) {
    try {
      return Json.read(json, ActivationRecord.class);
    } catch (RuntimeException e) {
      String reason = Json.readFailure(e);
      quarantine("activations", id, json, reason);
      Map<String, String> f = Json.salvage(json);
      if (f.get("namespace") == null) {
        return null;
      }
      long start = parseLong(f.get("start"));
      long end = Math.max(start, parseLong(f.get("end")));
      ActivationRecord replaced =
          new ActivationRecord(
              id,
              f.get("namespace"),
              f.getOrDefault("name", "unknown"),
              f.getOrDefault("version", "0.0.0"),
              f.get("subject"),
              start,
              end,
              end - start,
              ActivationResponse.whiskError(
                  "The stored record of this activation does not "
                      + "read back ("
                      + reason
                      + "); the server keeps the original in its quarantine."),
              List.of(),
              List.of(),
              false,
              f.get("cause"));
      records.put(id, Json.write(replaced));
      db.commitAsync();
      return replaced;
    }
  }

  @Override
  public int expire(long cutoffMillis) {
    int removed = 0;
    Iterator<String> keys = byEnd.keyIterator(null);
    List<String> expired = new ArrayList<>();
    while (keys.hasNext()) {
      String key = keys.next();
      long end = Long.parseLong(key.substring(0, key.indexOf(SEP)));
      if (end >= cutoffMillis) {
        break;
      }
      expired.add(key);
    }
    for (String key : expired) {
      String id = key.substring(key.indexOf(SEP) + 1);
      String json = records.remove(id);
      if (json != null) {
        // only the index fields are needed, and they are legible also in a record that no longer
        // reads back
        Map<String, String> f = Json.salvage(json);
        if (f.get("namespace") != null && f.get("start") != null) {
          byNamespace.remove(nsKey(f.get("namespace"), parseLong(f.get("start")), id));
        }
        removed++;
      }
      byEnd.remove(key);
    }
    if (!expired.isEmpty()) {
      db.commit();
    }
    return removed;
  }
}
