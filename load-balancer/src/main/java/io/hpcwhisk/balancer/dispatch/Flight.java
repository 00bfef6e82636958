package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.pilots.PilotConnection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One activation the dispatcher owns until it ends: queued (no pilot), sent (waiting for the pilot's
 * {@code accepted} until {@link #ackByMs}), or held by a pilot (leased until {@link #leaseUntilMs}).
 * Messages about it count only from a connection it was sent over ({@link #sentOn}); only the one it is
 * held over now ({@link #via}) may acknowledge, start or hand it back. Mutable; guarded by the
 * dispatcher's lock.
 */
final class Flight {
  final RunRequest request;
  final CompletableFuture<RunOutcome> result = new CompletableFuture<>();
  final long createdMs;
  final long createdNanos;
  /** Pilot ids it was ever sent to (for avoiding, logs and telling a reconnected pilot from a stranger). */
  final Set<String> triedOn = new HashSet<>(2);
  /**
   * Connections it was ever sent over, by identity: a late result from any of them ends it (first
   * result wins); a message about it from any other connection is dropped, whatever pilot id it names.
   */
  final Set<PilotConnection> sentOn = Collections.newSetFromMap(new IdentityHashMap<>(2));
  /** Pilots that failed it (no acknowledgement, lease expired, handed back): avoided while others exist. */
  final Set<String> avoid = new HashSet<>(2);
  /** Pilots told to {@code cancel} it (no acknowledgement in time): their late results are dropped. */
  final Set<String> cancelledOn = new HashSet<>(2);
  String pilotId;
  /** The connection of its current assignment (null when not assigned): the only one that may act on it. */
  PilotConnection via;
  /** Whether its pilot speaks protocol minor 1 (reports {@code started}); else acknowledged counts as started. */
  boolean holderReportsStarts;
  boolean acknowledged;
  /** Its pilot reported {@code started}: its runtime began running it. */
  boolean started;
  /** This assignment's start is counted in {@link #starts} (once per assignment, however reported). */
  boolean startCounted;
  long ackByMs;
  long leaseUntilMs;
  long queuedAtMs = -1;
  /** How often it may have started: {@code started} reports (or acknowledgements from minor-0 pilots). */
  int starts;
  /** How often it was sent to a pilot (bounds re-dispatch of work that never starts). */
  int sends;
  /** How often a pilot could not start its runtime. */
  int startFailures;
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

  /** Whether it may have run on its current pilot, as far as the protocol lets the balancer know. */
  boolean mayHaveStarted() {
    return holderReportsStarts ? started : acknowledged;
  }

  /** Counts this assignment's start once. */
  void countStart() {
    if (!startCounted) {
      startCounted = true;
      starts++;
    }
  }

  boolean queued() {
    return queuedAtMs >= 0;
  }
}
