package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One activation the dispatcher owns until it ends: queued (no pilot), sent (waiting for the pilot's
 * {@code accepted} until {@link #ackByMs}), or held by a pilot (leased until {@link #leaseUntilMs}).
 * Mutable; guarded by the dispatcher's lock.
 */
final class Flight {
  final RunRequest request;
  final CompletableFuture<RunOutcome> result = new CompletableFuture<>();
  final long createdMs;
  final long createdNanos;
  /** Pilots it was ever sent to: a late result from any of them ends it (first result wins). */
  final Set<String> triedOn = new HashSet<>(2);
  /** Pilots that failed it (no acknowledgement, lease expired, handed back): avoided while others exist. */
  final Set<String> avoid = new HashSet<>(2);
  String pilotId;
  boolean acknowledged;
  long ackByMs;
  long leaseUntilMs;
  long queuedAtMs = -1;
  /** How often a pilot acknowledged it (it may have started it). */
  int starts;
  String lastRefusal = "no pilot has been asked yet";
  boolean done;

  Flight(RunRequest request, long createdMs, long createdNanos) {
    this.request = request;
    this.createdMs = createdMs;
    this.createdNanos = createdNanos;
  }

  String id() {
    return request.activationId();
  }

  String namespace() {
    return request.namespace() == null ? "" : request.namespace();
  }

  int memoryMb() {
    return request.limits().memory();
  }

  /** Routing and warm-runtime key, as pilots report warm runtimes: {@code /ns/pkg/action@version}. */
  String versionKey() {
    return request.action().path() + "@" + request.version();
  }

  boolean queued() {
    return queuedAtMs >= 0;
  }
}
