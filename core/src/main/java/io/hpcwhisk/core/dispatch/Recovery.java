package io.hpcwhisk.core.dispatch;

import io.hpcwhisk.core.dispatch.DispatchEffect.Counter;
import io.hpcwhisk.core.dispatch.DispatchMachine.Turn;
import io.hpcwhisk.core.health.HealthSignal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What happens to activations a pilot hands back, loses (connection closed, offline), does not
 * acknowledge in time, holds past its lease, or cannot start a runtime for: each is taken back from
 * its pilot and either queued again at the head or ended by {@link RetryRule}, as the table in
 * docs/architecture.md, "Re-dispatch", states (with the 5 × {@code maxAttempts} bound on sends and
 * what a cancel does); this class is that table.
 */
final class Recovery {

  private static final int MAX_OWING_PILOTS = 10_000;

  private Recovery() {}

  /**
   * Takes a flight back from its pilot: again at the head of the queue if it never started or may
   * run again.
   */
  static <C> void takeBack(
      Turn<C> t, Flight<C> f, boolean mayHaveStarted, String cause, String why) {
    String pilot = f.pilotId();
    if (pilot != null) {
      f.avoid.add(pilot);
    }
    Placement.release(t, f);
    Optional<String> failure =
        RetryRule.decide(
            mayHaveStarted,
            f.activation.retrySafe(),
            f.starts,
            t.policy.maxAttempts(),
            f.sends,
            pilot,
            why);
    if (failure.isPresent()) {
      Placement.finish(t, f, "pilot_preempted", failure.get());
      return;
    }
    t.count(Counter.REDISPATCH, cause);
    Placement.requeueFirst(t, f);
  }

  /**
   * The pilot hands activations back, saying per activation whether it had started (a start not yet
   * reported counts now). Only activations it holds over {@code connection} are taken back.
   */
  static <C> void handedBack(Turn<C> t, C connection, DispatchEvent.HandedBack<C> h) {
    String why = "handed it back (" + h.reason() + ")";
    for (DispatchEvent.HandedBack.Item item : h.items()) {
      Flight<C> f = t.state.flights.get(item.activationId());
      if (f != null && f.onPilot() && f.via == connection) {
        boolean reported = item.started();
        if (reported && !f.mayHaveStarted()) {
          f.starts++; // its 'started' did not arrive before the hand-back: count the start now
        }
        boolean started = reported || f.mayHaveStarted();
        takeBack(t, f, started, started ? "handed_back_started" : "handed_back", why);
      }
    }
  }

  /**
   * The pilot could not start the activation's runtime (its fault): it is unhealthy for a while; a
   * retry-safe activation goes to another pilot (fewer than {@code maxAttempts} such failures), any
   * other ends in a whisk internal error naming the cause.
   */
  static <C> void runtimeStartFailed(Turn<C> t, Flight<C> f, PilotEntry<C> p, String cause) {
    DispatchMachine.change(t, p, new HealthSignal.RuntimeStartFailed(t.now, cause));
    f.avoid.add(p.id);
    f.startFailures++;
    Placement.release(t, f);
    String what = "Pilot " + p.id + " could not start the action's runtime (" + cause + ")";
    if (!f.activation.retrySafe()) {
      Placement.finish(
          t,
          f,
          "whisk_internal_error",
          what
              + "; the action is not retry-safe (annotation"
              + " retry-safe=false), so it was not tried on another pilot.");
    } else if (f.startFailures >= t.policy.maxAttempts()) {
      Placement.finish(
          t,
          f,
          "whisk_internal_error",
          what
              + "; "
              + f.startFailures
              + " pilots could not start it"
              + " (balancer.max-attempts), so it is not tried again.");
    } else {
      t.count(Counter.REDISPATCH, "runtime_start_failed");
      Placement.requeueFirst(t, f);
    }
  }

  /**
   * Cancels it on its pilot (which drops it unless started); that pilot's late result is then
   * dropped.
   */
  private static <C> void cancelOn(Turn<C> t, Flight<C> f, PilotEntry<C> p, String reason) {
    f.cancelledOn.add(f.pilotId);
    if (p != null) {
      t.emit(new DispatchEffect.Cancel<>(p.connection, f.id(), reason));
    }
  }

  /** Removes a pilot and takes back everything it held; what had not started is owed a cancel. */
  static <C> void lose(Turn<C> t, PilotEntry<C> p, String why) {
    t.state.pilots.remove(p.id, p);
    t.emit(new DispatchEffect.Left<>(p));
    if (p.leaving && p.flights.isEmpty()) {
      t.emit(new DispatchEffect.Log<>(false, "pilot " + p.id + " " + why));
    } else {
      t.emit(
          new DispatchEffect.Log<>(
              true, "pilot " + p.id + " " + why + " holding " + p.flights.size() + " activations"));
    }
    for (String id : List.copyOf(p.flights)) {
      Flight<C> f = t.state.flights.get(id);
      if (f != null) {
        boolean started = f.mayHaveStarted();
        if (!started) {
          f.cancelledOn.add(p.id);
          if (t.state.owed.size() < MAX_OWING_PILOTS) {
            t.state.owed.computeIfAbsent(p.id, k -> new ArrayList<>()).add(f.id());
          }
        }
        takeBack(t, f, started, started ? "pilot_lost_started" : "pilot_lost", why);
      }
    }
  }

  /**
   * Takes back what was not acknowledged in time and what outlived its lease; the acknowledgement
   * deadlines of the pilots in {@code handling} (a frame of theirs waits for the shell's lock)
   * wait.
   */
  static <C> void expire(Turn<C> t, Set<String> handling) {
    for (Flight<C> f : t.state.flightsCopy()) {
      if (!f.onPilot()) {
        continue;
      }
      PilotEntry<C> p = t.state.current(f.pilotId, f.via);
      if (f.phase == Flight.Phase.SENT && t.nowMs > f.ackByMs && !handling.contains(f.pilotId)) {
        DispatchMachine.activationEnded(t, p, HealthSignal.Outcome.TIMEOUT);
        cancelOn(t, f, p, "not acknowledged in time");
        takeBack(
            t,
            f,
            false,
            "ack_timeout",
            "did not acknowledge in " + t.policy.ackTimeoutMs() + " ms");
      } else if (f.phase != Flight.Phase.SENT && t.nowMs > f.leaseUntilMs) {
        DispatchMachine.activationEnded(t, p, HealthSignal.Outcome.TIMEOUT);
        boolean started = f.mayHaveStarted();
        if (!started) {
          cancelOn(t, f, p, "not started within its lease");
        }
        takeBack(
            t,
            f,
            started,
            "lease_expired",
            "did not report it within its lease (timeout + " + t.policy.leaseSlackMs() + " ms)");
      }
    }
  }
}
