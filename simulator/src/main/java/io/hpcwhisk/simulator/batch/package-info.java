/**
 * A discrete-event model of a Slurm-like cluster of whole nodes: a batch partition scheduled FCFS
 * with EASY backfilling or with Slurm-style (bounded conservative) backfilling, a preemptible
 * harvest partition whose pilots are submitted by the production harvest policies of {@code
 * io.hpcwhisk.core.harvest} through the production {@link
 * io.hpcwhisk.core.cluster.ClusterSnapshot}, preemption with a grace time, and the figures that
 * compare a run with pilots against the same trace without them (cost to batch users next to idle
 * node-time harvested). {@link io.hpcwhisk.simulator.batch.BatchSimulation} is the engine; {@link
 * io.hpcwhisk.simulator.batch.JobSources} turns SWF, sacct and synthetic traces into {@link
 * io.hpcwhisk.simulator.batch.JobSpec}s; every time in a run is a whole number of ticks of its
 * {@link io.hpcwhisk.simulator.batch.TimeBase} (seconds, or milliseconds when a setting needs a
 * fraction of a second).
 */
package io.hpcwhisk.simulator.batch;
