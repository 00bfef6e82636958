/**
 * Harvesting: pilot jobs and the fleet of them the controller owns, the {@link io.hpcwhisk.core.harvest.PilotShape}
 * a policy asks for, the sealed {@link io.hpcwhisk.core.harvest.Intent} (submit or cancel, always with a reason),
 * the {@link io.hpcwhisk.core.harvest.HarvestPolicy} function from snapshot and fleet to intents, the policies
 * ({@code fib}, {@code var}, {@code adaptive}) looked up by name in {@link io.hpcwhisk.core.harvest.HarvestPolicies},
 * and the command-side port {@link io.hpcwhisk.core.harvest.PilotLauncher}. The live controller, the simulator and
 * the tests all call the same policies.
 */
package io.hpcwhisk.core.harvest;
