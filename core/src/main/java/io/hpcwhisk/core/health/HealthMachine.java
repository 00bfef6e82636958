package io.hpcwhisk.core.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The pilot health state machine: {@code next(state, signal) -> state}.
 *
 * <p><b>Algorithm.</b> Every signal first updates the facts: a heartbeat refreshes {@code
 * lastHeartbeat} and marks the pilot connected; an ended activation appends its outcome to a ring
 * buffer of the last {@code window} outcomes; a lost connection marks it disconnected. The state is
 * then derived from the facts, in this order: disconnected, or silent for {@code offlineAfter} →
 * OFFLINE; silent for {@code unresponsiveAfter} → UNRESPONSIVE (until the next heartbeat); more
 * than {@code maxFailures} timeouts in the buffer → UNRESPONSIVE (until it answers again: {@link
 * HealthSignal.Answered} drops the timeouts from the buffer); a runtime start failure less than
 * {@code startFailureCooldown} ago → UNHEALTHY; more than {@code maxFailures} system errors →
 * UNHEALTHY; otherwise HEALTHY.
 *
 * <p><b>Example.</b> With the defaults (3 s, 10, 3): heartbeats at 0 s and 1 s keep a pilot
 * HEALTHY; a tick at 4.1 s makes it OFFLINE ("no heartbeat for 3.1 s"); a heartbeat at 4.5 s (it
 * reconnected) brings it back to HEALTHY. Four system errors among its last ten activations make it
 * UNHEALTHY until successes push them out of the buffer. Four timeouts make it UNRESPONSIVE; the
 * balancer then probes it ({@code ping}); its {@code pong} (an {@link HealthSignal.Answered}) makes
 * it HEALTHY again. "Could not start the nodejs:20 runtime" at 10 s makes it UNHEALTHY until 40 s.
 *
 * <p><b>Known caveats.</b> Recovery from UNHEALTHY by system errors needs successful activations,
 * which an unhealthy pilot does not receive (OpenWhisk sends test activations; here the
 * start-failure cooldown or the pilot's short life ends it). An answer proves the pilot serves its
 * connection, not that its runtimes work. Signals are assumed to arrive in time order; an older
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
    Instant unhealthyUntil = state.unhealthyUntil();
    String startFailure = state.startFailure();
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
    } else if (signal instanceof HealthSignal.Answered) {
      if (recent.contains(HealthSignal.Outcome.TIMEOUT)) {
        recent = recent.stream().filter(o -> o != HealthSignal.Outcome.TIMEOUT).toList();
      }
    } else if (signal instanceof HealthSignal.RuntimeStartFailed f) {
      Instant until = f.at().plus(policy.startFailureCooldown());
      if (until.isAfter(unhealthyUntil)) {
        unhealthyUntil = until;
      }
      startFailure = f.cause();
    }
    return derive(
        new Facts(connected, lastHeartbeat, recent, unhealthyUntil, startFailure), signal.at());
  }

  private record Facts(
      boolean connected,
      Instant lastHeartbeat,
      List<HealthSignal.Outcome> recent,
      Instant unhealthyUntil,
      String startFailure) {
    PilotHealthState state(Health health, String reason) {
      return new PilotHealthState(
          health, lastHeartbeat, connected, recent, reason, unhealthyUntil, startFailure);
    }
  }

  private PilotHealthState derive(Facts f, Instant now) {
    Duration silence = Duration.between(f.lastHeartbeat(), now);
    if (!f.connected()) {
      return f.state(Health.OFFLINE, "connection lost");
    }
    if (silence.compareTo(policy.offlineAfter()) >= 0) {
      return f.state(
          Health.OFFLINE,
          "no heartbeat for "
              + silence.toMillis()
              + " ms (limit "
              + policy.offlineAfter().toMillis()
              + " ms)");
    }
    if (silence.compareTo(policy.unresponsiveAfter()) >= 0
        && policy.unresponsiveAfter().compareTo(policy.offlineAfter()) < 0) {
      return f.state(
          Health.UNRESPONSIVE,
          "no heartbeat for "
              + silence.toMillis()
              + " ms (unresponsive after "
              + policy.unresponsiveAfter().toMillis()
              + " ms, offline after "
              + policy.offlineAfter().toMillis()
              + " ms)");
    }
    List<HealthSignal.Outcome> recent = f.recent();
    long timeouts = recent.stream().filter(o -> o == HealthSignal.Outcome.TIMEOUT).count();
    if (timeouts > policy.maxFailures()) {
      return f.state(
          Health.UNRESPONSIVE,
          timeouts + " of the last " + recent.size() + " activations were not answered in time");
    }
    if (now.isBefore(f.unhealthyUntil())) {
      return f.state(
          Health.UNHEALTHY,
          "could not start a runtime ("
              + f.startFailure()
              + "); no new work until "
              + f.unhealthyUntil());
    }
    long errors = recent.stream().filter(o -> o == HealthSignal.Outcome.SYSTEM_ERROR).count();
    if (errors > policy.maxFailures()) {
      return f.state(
          Health.UNHEALTHY,
          errors + " of the last " + recent.size() + " activations ended in a system error");
    }
    return f.state(Health.HEALTHY, "heartbeats and activations normal");
  }

  private List<HealthSignal.Outcome> append(
      List<HealthSignal.Outcome> recent, HealthSignal.Outcome outcome) {
    List<HealthSignal.Outcome> next = new ArrayList<>(recent);
    next.add(outcome);
    while (next.size() > policy.window()) {
      next.remove(0);
    }
    return next;
  }
}
