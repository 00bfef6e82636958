/**
 * Harvesting: pilot jobs and the fleet of them the controller owns, the {@link
 * io.hpcwhisk.core.harvest.PilotShape} a policy asks for, the sealed {@link
 * io.hpcwhisk.core.harvest.Intent} (submit or cancel, always with a reason), the {@link
 * io.hpcwhisk.core.harvest.HarvestPolicy} function from snapshot and fleet to intents, the policies
 * ({@code fib}, {@code var}, {@code adaptive}) looked up by name in {@link
 * io.hpcwhisk.core.harvest.HarvestPolicies}, the controller's pass around a policy, {@link
 * io.hpcwhisk.core.harvest.ControllerPass} (the policy's intents plus the controller's own rules,
 * {@link io.hpcwhisk.core.harvest.PassRules}), and the command-side port {@link
 * io.hpcwhisk.core.harvest.PilotLauncher}. The live controller, the simulators and the tests all
 * call the same pass and policies.
 */
package io.hpcwhisk.core.harvest;
