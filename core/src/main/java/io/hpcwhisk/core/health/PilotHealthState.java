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
 * @param recent the most recent activation outcomes, oldest first, at most {@link HealthPolicy#window()}
 * @param reason why the pilot is in this state, for logs and metrics
 */
public record PilotHealthState(
    Health health, Instant lastHeartbeat, boolean connected, List<HealthSignal.Outcome> recent, String reason) {

  public PilotHealthState {
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
