/**
 * Slurm integration: the CLI adapter ({@code io.hpcwhisk.slurm.cli}), the harvest controller
 * ({@code io.hpcwhisk.slurm.controller}) and its benchmark ({@code io.hpcwhisk.slurm.bench}). The snapshot
 * builder and the policies it runs are pure and live in {@code core}.
 */
package io.hpcwhisk.slurm;
