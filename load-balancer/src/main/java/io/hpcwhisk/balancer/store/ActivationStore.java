package io.hpcwhisk.balancer.store;

import io.hpcwhisk.balancer.entity.ActivationRecord;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Accepted activations and their terminal records. {@link #accept} and {@link #complete} are
 * durable when they return: a crash after {@code accept} leaves the activation in {@link
 * #pending()}; a crash after {@code complete} leaves the record and no pending entry.
 */
public interface ActivationStore {

  void accept(PendingActivation pending);

  /**
   * As {@link #accept}, but durable only with the next commit (a {@link #complete}, another accept,
   * or {@link #sync()}), without waiting for one. For a blocking invocation: its caller learns the
   * id only with the terminal record, whose commit makes both durable, or after a {@link #sync()};
   * a crash before that loses an activation nobody was told about.
   */
  default void acceptLazily(PendingActivation pending) {
    accept(pending);
  }

  /** Completes once everything written so far is durable. */
  default CompletableFuture<Void> sync() {
    return CompletableFuture.completedFuture(null);
  }

  /** Replaces a pending entry (e.g. with a higher attempt count) without ending it. */
  void updatePending(PendingActivation pending);

  /** Writes the terminal record and forgets the pending entry of the same id. */
  void complete(ActivationRecord record);

  /** As {@link #complete}, without blocking the caller: the future completes once it is durable. */
  default CompletableFuture<Void> completeAsync(ActivationRecord record) {
    complete(record);
    return CompletableFuture.completedFuture(null);
  }

  Optional<ActivationRecord> get(String namespace, String activationId);

  /** Newest first; the query's skip and limit apply. */
  List<ActivationRecord> list(String namespace, ActivationQuery query);

  /** How many records match (skip and limit ignored). */
  long count(String namespace, ActivationQuery query);

  /** Every accepted activation that has no terminal record yet (whose entry reads back). */
  List<PendingActivation> pending();

  /**
   * With several servers on one store: takes over the pending activations of servers that are gone
   * (no fresh heartbeat) and returns those that read back, for this server to recover while it
   * runs. A store of one server has none.
   */
  default List<PendingActivation> adoptOrphans() {
    return List.of();
  }

  /**
   * A pending entry that does not read back (damaged, or written under other limits): the store has
   * copied it to its quarantine, keyed {@code quarantineKey}; what could still be read of it is
   * here (any of the fields may be null). Ending it with {@link #complete} drops the pending entry.
   */
  record UnreadablePending(
      String activationId,
      String namespace,
      String subject,
      String action,
      String cause,
      long acceptedAt,
      String reason,
      String quarantineKey) {}

  /**
   * The pending entries for recovery at start: those that read back, and the unreadable ones,
   * quarantined.
   */
  record PendingScan(List<PendingActivation> readable, List<UnreadablePending> unreadable) {}

  /**
   * As {@link #pending()}, and quarantines every entry that does not read back instead of failing:
   * an unreadable entry is copied to the quarantine (kept, logged with its key) and listed in
   * {@link PendingScan#unreadable()} when its id, namespace and action are legible, so that it can
   * be ended with a record; one that is not even that legible is dropped from the pending entries.
   * Not a default method: a store that wraps another must hand its scan on (recovery depends on
   * it).
   */
  PendingScan scanPending();

  /** Deletes the records that ended before {@code cutoffMillis}; returns how many. */
  int expire(long cutoffMillis);
}
