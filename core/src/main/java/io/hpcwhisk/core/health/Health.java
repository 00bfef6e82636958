package io.hpcwhisk.core.health;

/**
 * OpenWhisk's invoker health states, applied to pilots. Only {@link #HEALTHY} pilots receive work.
 */
public enum Health {
  /** Heartbeats arrive and recent activations did not fail for system reasons. */
  HEALTHY,
  /** Heartbeats arrive, but too many recent activations ended in a whisk (system) error. */
  UNHEALTHY,
  /** Heartbeats arrive, but too many recent activations were not answered in time. */
  UNRESPONSIVE,
  /** The connection is gone, or no heartbeat came for the offline timeout. */
  OFFLINE;

  public boolean acceptsWork() {
    return this == HEALTHY;
  }
}
