/**
 * Pilot health as a pure state machine, after OpenWhisk's invoker supervision: {@link
 * io.hpcwhisk.core.health.HealthMachine#next} takes the current {@link
 * io.hpcwhisk.core.health.PilotHealthState} and one {@link io.hpcwhisk.core.health.HealthSignal}
 * (heartbeat, activation outcome, lost connection, clock tick) and returns the next state. The
 * balancer feeds it live signals; the simulator feeds it simulated ones; the tests feed it tables.
 */
package io.hpcwhisk.core.health;
