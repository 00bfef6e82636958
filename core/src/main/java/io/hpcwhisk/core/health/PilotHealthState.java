package io.hpcwhisk.core.health;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the balancer knows about one pilot's health.
 *
 * @param health the current state
 * @param lastHeartbeat when the pilot was last heard from
 * @param connected whether its connection is up
 * @param recent the most recent activation outcomes, oldest first, at most {@link
 *     HealthPolicy#window()}
 * @param reason why the pilot is in this state, for logs and metrics
 * @param unhealthyUntil until when a runtime start failure keeps it unhealthy (not after the last
 *     one)
 * @param startFailure the cause of the last runtime start failure, "" if none
 */
public record PilotHealthState(
    Health health,
    Instant lastHeartbeat,
    boolean connected,
    List<HealthSignal.Outcome> recent,
    String reason,
    Instant unhealthyUntil,
    String startFailure) {

  /** A state without a runtime start failure. */
  public PilotHealthState(
      Health health,
      Instant lastHeartbeat,
      boolean connected,
      List<HealthSignal.Outcome> recent,
      String reason) {
    this(health, lastHeartbeat, connected, recent, reason, lastHeartbeat, "");
  }

  public PilotHealthState {
    Objects.requireNonNull(unhealthyUntil, "unhealthyUntil");
    Objects.requireNonNull(startFailure, "startFailure");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
    recent = List.copyOf(recent);
    Objects.requireNonNull(reason, "reason");
  }

  /** A pilot that has just registered: healthy, connected, with a clean record. */
  public static PilotHealthState registered(Instant at) {
    return new PilotHealthState(Health.HEALTHY, at, true, List.of(), "registered");
  }
}
