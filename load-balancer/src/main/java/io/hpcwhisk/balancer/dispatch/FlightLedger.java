package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.metrics.BalancerMetrics;
import io.hpcwhisk.balancer.pilots.PilotConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The activations the dispatcher owns until they end, with their pilot assignment, acknowledgement
 * deadline and lease. {@link #finish} is the one place an activation ends: once, releasing its pilot's
 * memory and its queue place, completing its future after the lock ({@code after}). Not thread-safe;
 * guarded by the dispatcher's lock.
 */
final class FlightLedger {

  private final Map<String, Flight> flights = new HashMap<>();
  private final PilotTable pilots;
  private final FairQueue<Flight> queue;
  private final BalancerMetrics metrics;

  FlightLedger(PilotTable pilots, FairQueue<Flight> queue, BalancerMetrics metrics) {
    this.pilots = pilots;
    this.queue = queue;
    this.metrics = metrics;
  }

  Flight get(String activationId) {
    return flights.get(activationId);
  }

  void add(Flight flight) {
    if (flights.containsKey(flight.id())) {
      throw new IllegalStateException("activation " + flight.id() + " is already being dispatched");
    }
    flights.put(flight.id(), flight);
  }

  int size() {
    return flights.size();
  }

  /** A copy: callers may end flights while they walk it. */
  List<Flight> all() {
    return List.copyOf(flights.values());
  }

  /** Gives the flight to a pilot: reserves its memory, expects an acknowledgement by {@code ackByMs}. */
  void assign(Flight f, PilotSlot slot, long ackByMs) {
    slot.reservedMb += f.memoryMb();
    slot.flights.add(f.id());
    f.pilotId = slot.id;
    f.via = slot.connection;
    f.sentOn.add(slot.connection);
    f.holderReportsStarts = slot.reportsStarts();
    f.acknowledged = false;
    f.started = false;
    f.startCounted = false;
    f.triedOn.add(slot.id);
    f.cancelledOn.remove(slot.id);
    f.sends++;
    f.ackByMs = ackByMs;
  }

  /**
   * The pilot acknowledged it: it holds it until {@code leaseUntilMs}. From a minor-0 pilot this
   * counts as a start (it cannot say more); a minor-1 pilot says {@code started} when it starts it.
   * Returns whether the pilot holds it over {@code connection} (the acknowledgement answers the balancer).
   */
  boolean acknowledge(PilotConnection connection, String activationId, long leaseFromMs, long leaseSlackMs) {
    Flight f = flights.get(activationId);
    if (f == null || f.via != connection) {
      return false;
    }
    if (!f.acknowledged) {
      f.acknowledged = true;
      if (!f.holderReportsStarts) {
        f.countStart();
      }
      f.leaseUntilMs = leaseFromMs + f.request.limits().timeout() + leaseSlackMs;
    }
    return true;
  }

  /** What a {@code started} report meant. */
  enum StartReport { STARTED, UNKNOWN, ON_A_CANCELLED_PILOT }

  /**
   * The pilot's runtime began running it: it counts as a start, the lease runs from now. A start
   * reported by a pilot that was told to cancel it means it runs twice (the caller counts it). Only
   * the connection holding it starts it; the caller has dropped reports from connections it was never
   * sent over.
   */
  StartReport start(PilotConnection connection, String pilotId, String activationId, long nowMs, long leaseSlackMs) {
    Flight f = flights.get(activationId);
    if (f == null) {
      return StartReport.UNKNOWN;
    }
    if (f.via != connection) {
      return f.cancelledOn.contains(pilotId) ? StartReport.ON_A_CANCELLED_PILOT : StartReport.UNKNOWN;
    }
    if (!f.started) {
      f.started = true;
      f.acknowledged = true;
      f.countStart();
      f.leaseUntilMs = nowMs + f.request.limits().timeout() + leaseSlackMs;
    }
    return StartReport.STARTED;
  }

  /** Takes the flight off its pilot and frees the memory reserved for it there. */
  void release(Flight f) {
    if (f.pilotId == null) {
      return;
    }
    PilotSlot slot = pilots.current(f.pilotId, f.via);
    if (slot != null && slot.flights.remove(f.id())) {
      slot.reservedMb -= f.memoryMb();
    }
    f.pilotId = null;
    f.via = null;
    f.acknowledged = false;
    f.started = false;
  }

  /** Ends a flight once: releases its pilot's memory, takes it out of the queue, completes the future. */
  void finish(Flight f, RunOutcome outcome, String label, List<Runnable> after) {
    if (f.done) {
      return;
    }
    f.done = true;
    flights.remove(f.id());
    release(f);
    if (f.queued()) {
      queue.remove(f);
      f.queuedAtMs = -1;
    }
    metrics.activation(label);
    long nanos = System.nanoTime() - f.createdNanos;
    metrics.latency(nanos, outcome.end() - outcome.start());
    after.add(() -> f.result.complete(outcome));
  }
}
