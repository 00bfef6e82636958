/**
 * Slurm integration: the CLI adapter ({@code io.hpcwhisk.slurm.cli}), the harvest controller
 * ({@code io.hpcwhisk.slurm.controller}) and the synthetic batch workload of {@code hpc-whisk up}
 * ({@code io.hpcwhisk.slurm.workload}); the controller's benchmark is in the {@code benchmarks}
 * module. The snapshot builder and the policies it runs are pure and live in {@code core}.
 */
package io.hpcwhisk.slurm;
