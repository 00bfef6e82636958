package io.hpcwhisk.balancer.invoke;

import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.store.ActivationQuery;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.PendingActivation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ActivationStore} wrapper that counts, per namespace, the bytes of pending payloads and
 * of activation records within the retention, and the {@link StorageQuota} over those counts; how
 * it counts ({@value #ENTRY_OVERHEAD} bytes per entry, hourly buckets dropped by {@link #expire})
 * and its caveats are stated in docs/admin-guide.md §7, "Storage quota and the chain limit".
 */
public final class QuotaActivationStore implements ActivationStore, StorageQuota {

  static final long ENTRY_OVERHEAD = 400;
  private static final long HOUR = 3_600_000L;

  private final ActivationStore store;
  private final long quotaBytes;
  private final ConcurrentHashMap<String, Usage> usage = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

  private record Pending(String namespace, long bytes) {}

  private static final class Usage {
    final AtomicLong pendingBytes = new AtomicLong();
    final AtomicLong recordBytes = new AtomicLong();
    final ConcurrentSkipListMap<Long, AtomicLong> recordBytesByHour = new ConcurrentSkipListMap<>();

    long total() {
      return pendingBytes.get() + recordBytes.get();
    }

    void addRecord(long hour, long bytes) {
      recordBytesByHour.computeIfAbsent(hour, h -> new AtomicLong()).addAndGet(bytes);
      recordBytes.addAndGet(bytes);
    }

    void dropBefore(long hour) {
      for (Long h : List.copyOf(recordBytesByHour.headMap(hour).keySet())) {
        AtomicLong dropped = recordBytesByHour.remove(h);
        if (dropped != null) {
          recordBytes.addAndGet(-dropped.get());
        }
      }
    }
  }

  public QuotaActivationStore(ActivationStore store, long quotaBytes) {
    if (quotaBytes < 1) {
      throw new IllegalArgumentException("quota must be positive, got " + quotaBytes);
    }
    this.store = store;
    this.quotaBytes = quotaBytes;
    for (PendingActivation p : store.pending()) {
      counted(p);
    }
  }

  @Override
  public Optional<String> refusal(String namespace, long incomingBytes) {
    Usage u = usage.get(namespace);
    long used = u == null ? 0 : u.total();
    if (used + incomingBytes + ENTRY_OVERHEAD <= quotaBytes) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "The namespace '%s' keeps %,d kB of pending payloads and activation records and this"
                + " request would add %,d kB; its storage quota is %,d kB. Wait for activations to"
                + " end or records to age out, or ask the administrator to raise"
                + " store.namespace-quota-mb.",
            namespace,
            used / 1024,
            (incomingBytes + ENTRY_OVERHEAD + 1023) / 1024,
            quotaBytes / 1024));
  }

  /** The bytes counted for {@code namespace} now. */
  public long used(String namespace) {
    Usage u = usage.get(namespace);
    return u == null ? 0 : u.total();
  }

  private Usage usageOf(String namespace) {
    return usage.computeIfAbsent(namespace, n -> new Usage());
  }

  private void counted(PendingActivation p) {
    long bytes = JsonSize.of(p.payload()) + ENTRY_OVERHEAD;
    if (pending.putIfAbsent(p.activationId(), new Pending(p.namespace(), bytes)) == null) {
      usageOf(p.namespace()).pendingBytes.addAndGet(bytes);
    }
  }

  private void recorded(ActivationRecord r) {
    Pending p = pending.remove(r.activationId());
    if (p != null) {
      usageOf(p.namespace()).pendingBytes.addAndGet(-p.bytes());
    }
    long bytes = ENTRY_OVERHEAD + JsonSize.of(r.response().result());
    for (String line : r.logs()) {
      bytes += line.length() + 3;
    }
    usageOf(r.namespace()).addRecord(Math.floorDiv(r.end(), HOUR), bytes);
  }

  @Override
  public void accept(PendingActivation p) {
    counted(p);
    try {
      store.accept(p);
    } catch (RuntimeException e) {
      uncount(p);
      throw e;
    }
  }

  @Override
  public void acceptLazily(PendingActivation p) {
    counted(p);
    try {
      store.acceptLazily(p);
    } catch (RuntimeException e) {
      uncount(p);
      throw e;
    }
  }

  private void uncount(PendingActivation p) {
    Pending removed = pending.remove(p.activationId());
    if (removed != null) {
      usageOf(removed.namespace()).pendingBytes.addAndGet(-removed.bytes());
    }
  }

  @Override
  public CompletableFuture<Void> sync() {
    return store.sync();
  }

  @Override
  public void updatePending(PendingActivation p) {
    store.updatePending(p);
  }

  @Override
  public void complete(ActivationRecord record) {
    store.complete(record);
    recorded(record);
  }

  @Override
  public CompletableFuture<Void> completeAsync(ActivationRecord record) {
    // counted once written: a write that fails leaves the pending entry (and its count) in place
    return store
        .completeAsync(record)
        .whenComplete(
            (v, t) -> {
              if (t == null) {
                recorded(record);
              }
            });
  }

  @Override
  public Optional<ActivationRecord> get(String namespace, String activationId) {
    return store.get(namespace, activationId);
  }

  @Override
  public List<ActivationRecord> list(String namespace, ActivationQuery query) {
    return store.list(namespace, query);
  }

  @Override
  public long count(String namespace, ActivationQuery query) {
    return store.count(namespace, query);
  }

  @Override
  public List<PendingActivation> pending() {
    return store.pending();
  }

  /**
   * The wrapped store's take-over of the pending activations of servers that are gone (without
   * this, the default of a store of one server, none, hid them: a dead server's activations waited
   * for some server's restart); counted as pending here from now on.
   */
  @Override
  public List<PendingActivation> adoptOrphans() {
    List<PendingActivation> adopted = store.adoptOrphans();
    adopted.forEach(this::counted);
    return adopted;
  }

  /** The wrapped store's scan, so that its unreadable entries reach recovery's quarantine. */
  @Override
  public PendingScan scanPending() {
    return store.scanPending();
  }

  @Override
  public int expire(long cutoffMillis) {
    int n = store.expire(cutoffMillis);
    long firstKeptHour =
        Math.floorDiv(cutoffMillis, HOUR); // hours before it ended wholly before the cutoff
    for (Map.Entry<String, Usage> e : usage.entrySet()) {
      e.getValue().dropBefore(firstKeptHour);
    }
    return n;
  }
}
