/**
 * Seeded synthetic batch workloads for a small cluster: {@link
 * io.hpcwhisk.slurm.workload.SyntheticWorkload} keeps the nodes busy and leaves backfill windows;
 * {@code hpc-whisk up} submits one as its demo workload and the harvest benchmark replays one per
 * scenario.
 */
package io.hpcwhisk.slurm.workload;
