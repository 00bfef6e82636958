package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.core.health.Health;
import io.hpcwhisk.core.health.HealthMachine;
import io.hpcwhisk.core.health.HealthSignal;
import io.hpcwhisk.core.routing.PilotView;
import io.hpcwhisk.protocol.BalancerMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered pilots and their health: who is there, what the router may see, and the health
 * transitions from heartbeats, results and timeouts (through the core {@link HealthMachine}). Keeps
 * the per-pilot meters and the {@code whisk_pilots} gauges in step. Not thread-safe; guarded by the
 * dispatcher's lock.
 */
final class PilotTable {

  private static final Logger LOG = LoggerFactory.getLogger(PilotDispatcher.class);

  private final Map<String, PilotSlot> pilots = new LinkedHashMap<>();
  private final HealthMachine health;
  private final PilotMeters meters;

  PilotTable(HealthMachine health, PilotMeters meters) {
    this.health = health;
    this.meters = meters;
  }

  PilotSlot get(String id) {
    return pilots.get(id);
  }

  /** The pilot registered as {@code id} on exactly this connection, else null (a stale connection). */
  PilotSlot current(String id, Object connection) {
    PilotSlot slot = pilots.get(id);
    return slot != null && slot.connection == connection ? slot : null;
  }

  void add(PilotSlot slot) {
    pilots.put(slot.id, slot);
    meters.add(slot);
  }

  void remove(PilotSlot slot) {
    pilots.remove(slot.id, slot);
    meters.remove(slot);
  }

  /** Removes every pilot (the balancer stops) and returns them. */
  List<PilotSlot> clear() {
    List<PilotSlot> all = List.copyOf(pilots.values());
    pilots.clear();
    all.forEach(meters::remove);
    return all;
  }

  boolean isEmpty() {
    return pilots.isEmpty();
  }

  int size() {
    return pilots.size();
  }

  Collection<PilotSlot> all() {
    return pilots.values();
  }

  /** What the router sees: pilots that have sent their first heartbeat. */
  List<PilotView> routable() {
    List<PilotView> views = new ArrayList<>(pilots.size());
    for (PilotSlot slot : pilots.values()) {
      if (slot.ready) {
        views.add(slot.view());
      }
    }
    return views;
  }

  void heartbeat(PilotSlot slot, Instant now) {
    slot.health = health.next(slot.health, new HealthSignal.Heartbeat(now));
  }

  void activationEnded(PilotSlot slot, HealthSignal.Outcome outcome, Instant now) {
    if (slot != null) {
      slot.health = health.next(slot.health, new HealthSignal.ActivationEnded(now, outcome));
    }
  }

  /** The pilot could not start a runtime: unhealthy for the policy's cooldown. */
  void runtimeStartFailed(PilotSlot slot, String cause, Instant now) {
    change(slot, new HealthSignal.RuntimeStartFailed(now, cause));
  }

  /**
   * The pilot answered (a {@code pong}, or an acknowledgement of work it holds): timeouts no longer
   * count against it. Cheap when it had none (the acknowledgement path is hot).
   */
  void answered(PilotSlot slot, java.time.InstantSource clock) {
    if (slot.health.recent().contains(HealthSignal.Outcome.TIMEOUT)) {
      change(slot, new HealthSignal.Answered(clock.instant()));
    }
  }

  private void change(PilotSlot slot, HealthSignal signal) {
    Health before = slot.health.health();
    slot.health = health.next(slot.health, signal);
    if (before != slot.health.health()) {
      LOG.warn("pilot {} is {}: {}", slot.id, slot.health.health(), slot.health.reason());
    }
  }

  /**
   * Advances every pilot's health to {@code now}; returns those now offline (still in the table).
   * Probes each pilot that is unresponsive because it left activations unanswered (and speaks minor 1)
   * with a {@code ping} at most every {@link #PROBE_INTERVAL_MS}: its {@code pong} makes it healthy again.
   */
  List<PilotSlot> tick(Instant now) {
    List<PilotSlot> offline = new ArrayList<>();
    for (PilotSlot slot : pilots.values()) {
      Health before = slot.health.health();
      slot.health = health.next(slot.health, new HealthSignal.Tick(now));
      if (slot.health.health() == Health.OFFLINE) {
        offline.add(slot);
        continue;
      } else if (before != slot.health.health()) {
        LOG.warn("pilot {} is {}: {}", slot.id, slot.health.health(), slot.health.reason());
      }
      if (slot.health.health() == Health.UNRESPONSIVE && slot.reportsStarts()
          && slot.health.recent().contains(HealthSignal.Outcome.TIMEOUT)
          && now.toEpochMilli() - slot.lastProbeMs >= PROBE_INTERVAL_MS) {
        slot.lastProbeMs = now.toEpochMilli();
        meters.probe();
        slot.connection.send(new BalancerMessage.Ping(Long.toString(now.toEpochMilli())));
      }
    }
    return offline;
  }

  /** How often an unresponsive pilot is probed. */
  static final long PROBE_INTERVAL_MS = 1000;

  void updateGauges() {
    meters.pilots(pilots.values());
  }
}
