/**
 * Slurm over its REST API ({@code slurmrestd}, OpenAPI data_parser v0.0.41/v0.0.42, JWT
 * authentication): the same {@link io.hpcwhisk.core.cluster.ClusterView} ({@link
 * io.hpcwhisk.slurm.rest.SlurmRestClusterView}) and {@link io.hpcwhisk.core.harvest.PilotLauncher}
 * ({@link io.hpcwhisk.slurm.rest.SlurmRestPilotLauncher}) contract as the CLI adapter, for {@code
 * slurm.access: rest}.
 */
package io.hpcwhisk.slurm.rest;
