/**
 * Online replay: the production harvest policies of {@code io.hpcwhisk.core.harvest}, unchanged,
 * driven through a simulated cluster built from an idle-node log. {@link
 * io.hpcwhisk.simulator.online.ControllerView} builds, at each sample, the {@code ClusterSnapshot}
 * and {@code Fleet} a controller could see; the policy decides; {@link
 * io.hpcwhisk.simulator.online.SimulatedCluster} executes the intents like Slurm would (priority
 * order, time limits, preemption when a node is reclaimed, warm-up in seconds) and accounts for
 * every pilot-second; {@link io.hpcwhisk.simulator.online.OnlineReplay} ties them to the log. No
 * knowledge of the future is used; the log has no reservation data, so every window is unbounded
 * and preemption is always allowed — an optimistic bound.
 */
package io.hpcwhisk.simulator.online;
