package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.metrics.BalancerMetrics;
import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.core.health.HealthSignal;
import io.hpcwhisk.protocol.BalancerMessage;
import java.time.Instant;
import java.time.InstantSource;
import io.hpcwhisk.protocol.PilotMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The re-dispatch and hand-back decisions: what happens to activations a pilot hands back, loses
 * (connection closed, offline), does not acknowledge in time, or holds past its lease. Each is taken
 * back from its pilot and either queued again at the front or ended by {@link RetryRule}. Not
 * thread-safe; guarded by the dispatcher's lock.
 */
final class Redispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(PilotDispatcher.class);

  private final ServerConfig.Pilots settings;
  private final InstantSource clock;
  private final BalancerMetrics metrics;
  private final PilotTable pilots;
  private final FlightLedger ledger;
  private final QueuePump pump;
  /** Per lost pilot, activations taken back unstarted: cancelled when it registers again. */
  private final Map<String, List<String>> owed = new HashMap<>();
  private static final int MAX_OWING_PILOTS = 10_000;

  Redispatcher(ServerConfig.Pilots settings, InstantSource clock, BalancerMetrics metrics, PilotTable pilots,
      FlightLedger ledger, QueuePump pump) {
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.pilots = pilots;
    this.ledger = ledger;
    this.pump = pump;
  }

  /** Takes a flight back from its pilot: re-dispatch at once if it never started or may run again, else fail. */
  void takeBack(Flight f, boolean mayHaveStarted, String cause, String why, List<Runnable> after) {
    String pilot = f.pilotId;
    if (pilot != null) {
      f.avoid.add(pilot);
    }
    ledger.release(f);
    var failure = RetryRule.decide(mayHaveStarted, f.request.retrySafe(), f.starts, settings.maxAttempts(), f.sends,
        pilot, why);
    if (failure.isPresent()) {
      ledger.finish(f, RunOutcome.whiskError(failure.get(), clock.millis()), "pilot_preempted", after);
      return;
    }
    metrics.redispatch(cause);
    pump.requeueFirst(f);
  }

  /**
   * The pilot hands activations back (it drains, was told to cancel, or cannot finish them). A minor-1
   * pilot says per activation whether it had started; from a minor-0 pilot what it acknowledged counts
   * as started. Only activations it holds over {@code connection} are taken back.
   */
  void handedBack(PilotConnection connection, PilotMessage.HandBack h, List<Runnable> after) {
    String why = "handed it back (" + h.reason() + ")";
    if (h.reportsStarted()) {
      for (PilotMessage.HandBack.Item item : h.activations()) {
        Flight f = ledger.get(item.activationId());
        if (f != null && f.via == connection) {
          if (item.started()) {
            f.countStart(); // if its 'started' did not arrive before the hand-back, count the start now
          }
          boolean started = item.started() || f.mayHaveStarted();
          takeBack(f, started, started ? "handed_back_started" : "handed_back", why, after);
        }
      }
      return;
    }
    for (String id : h.activationIds()) {
      Flight f = ledger.get(id);
      if (f != null && f.via == connection) {
        boolean started = f.mayHaveStarted();
        takeBack(f, started, started ? "handed_back_started" : "handed_back", why, after);
      }
    }
  }

  /**
   * The pilot could not start the activation's runtime (its fault): it is unhealthy for a while; a
   * retry-safe activation goes to another pilot (fewer than {@code maxAttempts} such failures), any
   * other ends in a whisk internal error naming the cause.
   */
  void runtimeStartFailed(Flight f, PilotSlot slot, String cause, List<Runnable> after) {
    pilots.runtimeStartFailed(slot, cause, clock.instant());
    f.avoid.add(slot.id);
    f.startFailures++;
    ledger.release(f);
    String what = "Pilot " + slot.id + " could not start the action's runtime (" + cause + ")";
    if (!f.request.retrySafe()) {
      ledger.finish(f, RunOutcome.whiskError(what + "; the action is not retry-safe (annotation retry-safe=false),"
          + " so it was not tried on another pilot.", clock.millis()), "whisk_internal_error", after);
    } else if (f.startFailures >= settings.maxAttempts()) {
      ledger.finish(f, RunOutcome.whiskError(what + "; " + f.startFailures + " pilots could not start it"
          + " (balancer.max-attempts), so it is not tried again.", clock.millis()), "whisk_internal_error", after);
    } else {
      metrics.redispatch("runtime_start_failed");
      pump.requeueFirst(f);
    }
  }

  /** Cancels it on its pilot (which drops it unless started); that pilot's late result is then dropped. */
  private void cancelOn(Flight f, PilotSlot slot, String reason) {
    f.cancelledOn.add(f.pilotId);
    if (slot != null) {
      slot.connection.send(new BalancerMessage.Cancel(f.id(), reason));
    }
  }

  /**
   * Cancels a lost pilot owes: activations taken back unstarted from it while it was away; sent when
   * it registers again (a partitioned pilot may still hold them).
   */
  List<String> owedCancels(String pilotId) {
    List<String> ids = owed.remove(pilotId);
    return ids == null ? List.of() : ids;
  }

  /** Removes a pilot and takes back everything it held. */
  void lose(PilotSlot slot, String why, List<Runnable> after) {
    pilots.remove(slot);
    if (slot.leaving && slot.flights.isEmpty()) {
      LOG.info("pilot {} {}", slot.id, why);
    } else {
      LOG.warn("pilot {} {} holding {} activations", slot.id, why, slot.flights.size());
    }
    for (String id : List.copyOf(slot.flights)) {
      Flight f = ledger.get(id);
      if (f != null) {
        boolean started = f.mayHaveStarted();
        if (!started) {
          f.cancelledOn.add(slot.id);
          if (owed.size() < MAX_OWING_PILOTS) {
            owed.computeIfAbsent(slot.id, k -> new ArrayList<>()).add(f.id());
          }
        }
        takeBack(f, started, started ? "pilot_lost_started" : "pilot_lost", why, after);
      }
    }
  }

  /** Takes back what was not acknowledged in time and what outlived its lease. */
  void expire(Instant now, List<Runnable> after) {
    long nowMs = now.toEpochMilli();
    for (Flight f : ledger.all()) {
      if (f.pilotId == null || f.done) {
        continue;
      }
      PilotSlot slot = pilots.current(f.pilotId, f.via);
      if (!f.acknowledged && nowMs > f.ackByMs) {
        pilots.activationEnded(slot, HealthSignal.Outcome.TIMEOUT, now);
        cancelOn(f, slot, "not acknowledged in time");
        takeBack(f, false, "ack_timeout", "did not acknowledge in " + settings.ackTimeoutMs() + " ms", after);
      } else if (f.acknowledged && nowMs > f.leaseUntilMs) {
        pilots.activationEnded(slot, HealthSignal.Outcome.TIMEOUT, now);
        boolean started = f.mayHaveStarted();
        if (!started) {
          cancelOn(f, slot, "not started within its lease");
        }
        takeBack(f, started, "lease_expired", "did not report it within its lease (timeout + "
            + settings.leaseSlackMs() + " ms)", after);
      }
    }
  }
}
