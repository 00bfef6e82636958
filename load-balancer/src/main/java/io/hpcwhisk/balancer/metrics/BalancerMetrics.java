package io.hpcwhisk.balancer.metrics;

import io.hpcwhisk.core.routing.RoutingDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The balancer's meters, by name (Prometheus names add {@code _total}, {@code _seconds}): {@code
 * whisk_activations{outcome}}, {@code whisk_redispatches{cause}}, {@code
 * whisk_routing_refusals{reason}}, {@code whisk_queue_wait}, {@code whisk_activation_latency}
 * (accepted by the dispatcher to result), {@code whisk_activation_overhead} (that minus the
 * action's own duration), {@code whisk_late_results}, {@code whisk_pilot_startup}; gauges are
 * registered by their owners. Meters are cached per tag value, so counting costs a map lookup.
 */
public final class BalancerMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer queueWait;
  private final Timer latency;
  private final Timer overhead;
  private final Timer pilotStartup;

  public BalancerMetrics(MeterRegistry registry) {
    this.registry = registry;
    queueWait =
        histogram(
            "whisk_queue_wait", "time activations waited in the balancer's queue for a pilot");
    latency =
        histogram("whisk_activation_latency", "from dispatch to the pilot's result, end to end");
    overhead =
        histogram(
            "whisk_activation_overhead",
            "end-to-end latency minus the action's own duration (init and run)");
    pilotStartup =
        histogram(
            "whisk_pilot_startup",
            "from a pilot job's batch script starting to the pilot's registration with the"
                + " balancer");
    // exported at zero from the start, so dashboards and alerts see 0 rather than no series
    for (String cause :
        new String[] {
          "pilot_lost",
          "pilot_lost_started",
          "handed_back",
          "handed_back_started",
          "ack_timeout",
          "lease_expired",
          "runtime_start_failed"
        }) {
      counter("whisk_redispatches", "cause", cause);
    }
    counter("whisk_late_results", "kind", "after_end");
    for (RoutingDecision.Cause cause : RoutingDecision.Cause.values()) {
      counter("whisk_routing_refusals", "reason", cause.label());
    }
  }

  /** Metrics into a registry of their own (tests). */
  public static BalancerMetrics inMemory() {
    return new BalancerMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  private Timer histogram(String name, String help) {
    return Timer.builder(name)
        .description(help)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(50_000))
        .maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry);
  }

  private Counter counter(String name, String tag, String value) {
    return counters.computeIfAbsent(
        name + '\0' + value, k -> Counter.builder(name).tag(tag, value).register(registry));
  }

  public void activation(String outcome) {
    counter("whisk_activations", "outcome", outcome).increment();
  }

  public void redispatch(String cause) {
    counter("whisk_redispatches", "cause", cause).increment();
  }

  public void refusal(String reason) {
    counter("whisk_routing_refusals", "reason", reason).increment();
  }

  public void lateResult() {
    counter("whisk_late_results", "kind", "after_end").increment();
  }

  public void queueWait(long millis) {
    queueWait.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  public void latency(long nanos, long actionMillis) {
    latency.record(nanos, TimeUnit.NANOSECONDS);
    overhead.record(Math.max(0, nanos - actionMillis * 1_000_000), TimeUnit.NANOSECONDS);
  }

  /**
   * A pilot registered {@code millis} after its batch script began (first registration of a pilot
   * only).
   */
  public void pilotStartup(long millis) {
    pilotStartup.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  /** Removes meters (a pilot's, when it leaves). */
  public void remove(Iterable<Meter> meters) {
    meters.forEach(registry::remove);
  }

  /** Count of a counter, for tests and logs. */
  public double count(String name, String value) {
    Counter c = counters.get(name + '\0' + value);
    return c == null ? 0 : c.count();
  }
}
