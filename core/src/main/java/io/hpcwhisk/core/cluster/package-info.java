/**
 * What the harvester knows about a Slurm cluster, free of Slurm specifics: node states, jobs with
 * their expected starts and scheduled nodes, the immutable {@link
 * io.hpcwhisk.core.cluster.ClusterSnapshot} with a backfill {@link io.hpcwhisk.core.cluster.Window}
 * per harvestable node, the pure {@link io.hpcwhisk.core.cluster.SnapshotBuilder} that derives
 * windows from raw observations (the simulator keeps a change-by-change twin of its own, which
 * hands over its {@link io.hpcwhisk.core.cluster.NodeChanges} explicitly), and the two ports the
 * live adapter and the simulator implement: the read-only {@link
 * io.hpcwhisk.core.cluster.ClusterView} (its command-side twin, {@code PilotLauncher}, lives with
 * the pilots in {@code core.harvest}).
 */
package io.hpcwhisk.core.cluster;
