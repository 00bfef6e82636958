package io.hpcwhisk.core.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The pilot health state machine: {@code next(state, signal) -> state}.
 *
 * <p><b>Algorithm.</b> Every signal first updates the facts: a heartbeat refreshes {@code lastHeartbeat}
 * and marks the pilot connected; an ended activation appends its outcome to a ring buffer of the last
 * {@code window} outcomes; a lost connection marks it disconnected. The state is then derived from the
 * facts, in this order: disconnected, or silent for {@code offlineAfter} → OFFLINE; more than {@code
 * maxFailures} timeouts in the buffer → UNRESPONSIVE; more than {@code maxFailures} system errors →
 * UNHEALTHY; otherwise HEALTHY.
 *
 * <p><b>Example.</b> With the defaults (3 s, 10, 3): heartbeats at 0 s and 1 s keep a pilot HEALTHY; a
 * tick at 4.1 s makes it OFFLINE ("no heartbeat for 3.1 s"); a heartbeat at 4.5 s (it reconnected)
 * brings it back to HEALTHY. Four system errors among its last ten activations make it UNHEALTHY until
 * successes push them out of the buffer.
 *
 * <p><b>Known caveats.</b> Recovery from UNHEALTHY/UNRESPONSIVE needs successful activations, which an
 * unhealthy pilot does not receive; OpenWhisk sends test activations for this, the balancer may do the
 * same or let the pilot's short life end it. Signals are assumed to arrive in time order; an older
 * heartbeat than the last one is ignored.
 */
public final class HealthMachine {

  private final HealthPolicy policy;

  public HealthMachine(HealthPolicy policy) {
    this.policy = policy;
  }

  public HealthPolicy policy() {
    return policy;
  }

  public PilotHealthState next(PilotHealthState state, HealthSignal signal) {
    boolean connected = state.connected();
    var lastHeartbeat = state.lastHeartbeat();
    List<HealthSignal.Outcome> recent = state.recent();
    // (Java 17: no pattern matching for switch yet.)
    if (signal instanceof HealthSignal.Heartbeat h) {
      if (!h.at().isBefore(lastHeartbeat)) {
        lastHeartbeat = h.at();
      }
      connected = true;
    } else if (signal instanceof HealthSignal.ActivationEnded e) {
      recent = append(recent, e.outcome());
    } else if (signal instanceof HealthSignal.ConnectionLost) {
      connected = false;
    }
    return derive(connected, lastHeartbeat, recent, signal.at());
  }

  private PilotHealthState derive(boolean connected, Instant lastHeartbeat,
      List<HealthSignal.Outcome> recent, Instant now) {
    Duration silence = Duration.between(lastHeartbeat, now);
    if (!connected) {
      return new PilotHealthState(Health.OFFLINE, lastHeartbeat, false, recent, "connection lost");
    }
    if (silence.compareTo(policy.offlineAfter()) >= 0) {
      return new PilotHealthState(Health.OFFLINE, lastHeartbeat, true, recent,
          "no heartbeat for " + silence.toMillis() + " ms (limit " + policy.offlineAfter().toMillis() + " ms)");
    }
    long timeouts = recent.stream().filter(o -> o == HealthSignal.Outcome.TIMEOUT).count();
    if (timeouts > policy.maxFailures()) {
      return new PilotHealthState(Health.UNRESPONSIVE, lastHeartbeat, true, recent,
          timeouts + " of the last " + recent.size() + " activations were not answered in time");
    }
    long errors = recent.stream().filter(o -> o == HealthSignal.Outcome.SYSTEM_ERROR).count();
    if (errors > policy.maxFailures()) {
      return new PilotHealthState(Health.UNHEALTHY, lastHeartbeat, true, recent,
          errors + " of the last " + recent.size() + " activations ended in a system error");
    }
    return new PilotHealthState(Health.HEALTHY, lastHeartbeat, true, recent, "heartbeats and activations normal");
  }

  private List<HealthSignal.Outcome> append(List<HealthSignal.Outcome> recent, HealthSignal.Outcome outcome) {
    List<HealthSignal.Outcome> next = new ArrayList<>(recent);
    next.add(outcome);
    while (next.size() > policy.window()) {
      next.remove(0);
    }
    return next;
  }
}
