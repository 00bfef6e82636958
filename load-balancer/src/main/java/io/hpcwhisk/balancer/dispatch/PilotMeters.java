package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.core.dispatch.DispatchEffect;
import io.hpcwhisk.core.dispatch.PilotEntry;
import io.hpcwhisk.core.health.Health;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.PilotMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of the dispatcher ({@code whisk_pilots{health}}, {@code whisk_pilots_draining}, {@code
 * whisk_queue_length}) and the counters each pilot reports with its heartbeats, tagged {@code
 * pilot} and removed when the pilot goes ({@code whisk_pilot_activations{status}}, {@code
 * whisk_pilot_cold_starts}, {@code whisk_pilot_warm_starts}, {@code whisk_pilot_init_seconds},
 * {@code whisk_pilot_run_seconds}, {@code whisk_pilot_handed_back}, {@code
 * whisk_pilot_drain_events}, {@code whisk_pilot_runtimes_alive}; and the balancer's own {@code
 * whisk_pilot_reserved_mb}); also {@code whisk_late_results{kind="cancelled"}}, {@code
 * whisk_starts_after_cancel} and {@code whisk_pilot_probes}; and what pilots may not do: {@code
 * whisk_pilot_registrations_refused{reason}} ({@value #REFUSED_ID_IN_USE}, {@value
 * #REFUSED_ADMISSION}, {@value #REFUSED_STOPPING}) and {@code whisk_pilot_messages_dropped{reason}}
 * ({@value #DROPPED_FOREIGN}, {@value #DROPPED_EARLIER}, {@value #DROPPED_STALE}).
 */
final class PilotMeters {

  private final MeterRegistry registry;
  private final AtomicInteger[] byHealth = new AtomicInteger[Health.values().length];
  private final AtomicInteger draining = new AtomicInteger();
  private final AtomicInteger queueLength = new AtomicInteger();
  private final Counter cancelledResults;
  private final Counter startsAfterCancel;
  private final Counter probes;
  private final Counter heartbeats;

  /** Refused: the pilot id is held by a live connection. */
  static final String REFUSED_ID_IN_USE = DispatchEffect.REFUSED_ID_IN_USE;

  /** Refused by admission (credential, job binding, Slurm). */
  static final String REFUSED_ADMISSION = "admission";

  /** Refused: the balancer is stopping. */
  static final String REFUSED_STOPPING = DispatchEffect.REFUSED_STOPPING;

  /** Dropped: a message about an activation from a connection it was never sent over. */
  static final String DROPPED_FOREIGN = DispatchEffect.DROPPED_FOREIGN;

  /**
   * Dropped: as {@link #DROPPED_FOREIGN}, but from a connection registered under a pilot id the
   * activation was sent to over an earlier connection (a pilot that reconnected, or whoever holds
   * its id now).
   */
  static final String DROPPED_EARLIER = DispatchEffect.DROPPED_EARLIER;

  /**
   * Dropped: a message over a connection that no longer holds a registration (replaced, lost,
   * offline).
   */
  static final String DROPPED_STALE = DispatchEffect.DROPPED_STALE;

  private final Map<String, Counter> refused;
  private final Map<String, Counter> dropped;

  PilotMeters(MeterRegistry registry) {
    this.registry = registry;
    for (Health h : Health.values()) {
      byHealth[h.ordinal()] =
          registry.gauge(
              "whisk_pilots",
              List.of(Tag.of("health", h.name().toLowerCase(Locale.ROOT))),
              new AtomicInteger());
    }
    Gauge.builder("whisk_pilots_draining", draining, AtomicInteger::get).register(registry);
    Gauge.builder("whisk_queue_length", queueLength, AtomicInteger::get)
        .description("activations waiting for a pilot")
        .register(registry);
    cancelledResults = registry.counter("whisk_late_results", "kind", "cancelled");
    startsAfterCancel =
        Counter.builder("whisk_starts_after_cancel")
            .description(
                "activations a pilot started although it had been told to cancel them (they ran"
                    + " twice)")
            .register(registry);
    probes =
        Counter.builder("whisk_pilot_probes")
            .description("pings sent to unresponsive pilots")
            .register(registry);
    heartbeats =
        Counter.builder("whisk_pilot_heartbeats")
            .description("heartbeats received from registered pilots")
            .register(registry);
    refused =
        counters(
            registry,
            "whisk_pilot_registrations_refused",
            "pilot registrations refused, by reason",
            REFUSED_ID_IN_USE,
            REFUSED_ADMISSION,
            REFUSED_STOPPING);
    dropped =
        counters(
            registry,
            "whisk_pilot_messages_dropped",
            "pilot messages dropped because the connection"
                + " they came over may not act on what they name, by reason",
            DROPPED_FOREIGN,
            DROPPED_EARLIER,
            DROPPED_STALE);
  }

  /** One counter per reason, all registered up front (so each shows 0 until it happens). */
  private static Map<String, Counter> counters(
      MeterRegistry registry, String name, String description, String... reasons) {
    Map<String, Counter> byReason = new HashMap<>();
    for (String reason : reasons) {
      byReason.put(
          reason,
          Counter.builder(name).description(description).tag("reason", reason).register(registry));
    }
    return Map.copyOf(byReason);
  }

  private static void count(Map<String, Counter> byReason, String reason) {
    var counter = byReason.get(reason);
    if (counter == null) {
      throw new IllegalArgumentException(
          "unknown reason '" + reason + "', expected one of " + byReason.keySet());
    }
    counter.increment();
  }

  /** A heartbeat from a registered pilot arrived (thread-safe). */
  void heartbeat() {
    heartbeats.increment();
  }

  /** A registration refused for one of the {@code REFUSED_*} reasons (thread-safe). */
  void refused(String reason) {
    count(refused, reason);
  }

  /** A pilot message dropped for one of the {@code DROPPED_*} reasons. */
  void dropped(String reason) {
    count(dropped, reason);
  }

  /** A result from a pilot that was told to cancel the activation: dropped. */
  void cancelledResult() {
    cancelledResults.increment();
  }

  /**
   * A pilot started an activation it had been told to cancel (it was re-dispatched: it runs twice).
   */
  void startAfterCancel() {
    startsAfterCancel.increment();
  }

  void probe() {
    probes.increment();
  }

  /** Counts the pilots by health, and those draining or leaving. */
  void pilots(Collection<PilotEntry<PilotConnection>> pilots) {
    int[] counts = new int[byHealth.length];
    int drainingNow = 0;
    for (PilotEntry<PilotConnection> pilot : pilots) {
      counts[pilot.health().health().ordinal()]++;
      if (pilot.closing()) {
        drainingNow++;
      }
    }
    for (int i = 0; i < counts.length; i++) {
      byHealth[i].set(counts[i]);
    }
    draining.set(drainingNow);
  }

  void queueLength(int n) {
    queueLength.set(n);
  }

  void add(PilotSlot slot) {
    for (ActivationStatus status : ActivationStatus.values()) {
      slot.meters.add(
          FunctionCounter.builder(
                  "whisk_pilot_activations",
                  slot,
                  s -> s.reported.activationsByStatus().getOrDefault(status.text(), 0L))
              .tag("pilot", slot.id())
              .tag("status", status.text().replace(' ', '_'))
              .register(registry));
    }
    counter(slot, "whisk_pilot_cold_starts", m -> m.coldStarts());
    counter(slot, "whisk_pilot_warm_starts", m -> m.warmStarts());
    counter(slot, "whisk_pilot_init_seconds", m -> m.initMillisTotal() / 1000.0);
    counter(slot, "whisk_pilot_run_seconds", m -> m.runMillisTotal() / 1000.0);
    counter(slot, "whisk_pilot_handed_back", m -> m.handedBack());
    counter(slot, "whisk_pilot_drain_events", m -> m.drainEvents());
    slot.meters.add(
        Gauge.builder("whisk_pilot_runtimes_alive", slot, s -> s.reported.runtimesAlive())
            .tag("pilot", slot.id())
            .register(registry));
    slot.meters.add(
        Gauge.builder("whisk_pilot_reserved_mb", slot, s -> s.entry.reservedMb())
            .description("memory the balancer has reserved on the pilot for activations in flight")
            .tag("pilot", slot.id())
            .register(registry));
  }

  private void counter(PilotSlot slot, String name, ToDoubleFunction<PilotMetrics> value) {
    slot.meters.add(
        FunctionCounter.builder(name, slot, s -> value.applyAsDouble(s.reported))
            .tag("pilot", slot.id())
            .register(registry));
  }

  void remove(PilotSlot slot) {
    slot.meters.forEach(registry::remove);
    slot.meters.clear();
  }
}
