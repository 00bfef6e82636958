package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.metrics.BalancerMetrics;
import io.hpcwhisk.core.health.HealthSignal;
import io.hpcwhisk.protocol.BalancerMessage;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
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
    var failure = RetryRule.decide(mayHaveStarted, f.request.retrySafe(), f.starts, settings.maxAttempts(), pilot, why);
    if (failure.isPresent()) {
      ledger.finish(f, RunOutcome.whiskError(failure.get(), clock.millis()), "pilot_preempted", after);
      return;
    }
    metrics.redispatch(cause);
    pump.requeueFirst(f);
  }

  /** The pilot hands these activations back (it drains). */
  void handedBack(String pilotId, List<String> activationIds, String reason, List<Runnable> after) {
    for (String id : activationIds) {
      Flight f = ledger.get(id);
      if (f != null && pilotId.equals(f.pilotId)) {
        takeBack(f, f.acknowledged, f.acknowledged ? "handed_back_started" : "handed_back",
            "handed it back (" + reason + ")", after);
      }
    }
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
        takeBack(f, f.acknowledged, f.acknowledged ? "pilot_lost_started" : "pilot_lost", why, after);
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
      PilotSlot slot = pilots.get(f.pilotId);
      if (!f.acknowledged && nowMs > f.ackByMs) {
        pilots.activationEnded(slot, HealthSignal.Outcome.TIMEOUT, now);
        if (slot != null) {
          slot.connection.send(new BalancerMessage.Cancel(f.id(), "not acknowledged in time"));
        }
        takeBack(f, false, "ack_timeout", "did not acknowledge in " + settings.ackTimeoutMs() + " ms", after);
      } else if (f.acknowledged && nowMs > f.leaseUntilMs) {
        pilots.activationEnded(slot, HealthSignal.Outcome.TIMEOUT, now);
        takeBack(f, true, "lease_expired", "did not report it within its lease (timeout + "
            + settings.leaseSlackMs() + " ms)", after);
      }
    }
  }
}
