/**
 * The Slurm command-line adapter: runs {@code sinfo}, {@code squeue}, {@code sbatch} and {@code
 * scancel} with a timeout each ({@link io.hpcwhisk.slurm.cli.SlurmCli}), parses their JSON
 * defensively across Slurm 22.05 and 23.x/24.x shapes ({@link io.hpcwhisk.slurm.cli.SlurmJson}),
 * and implements the core ports {@link io.hpcwhisk.core.cluster.ClusterView} ({@link
 * io.hpcwhisk.slurm.cli.SlurmCliClusterView}) and {@link io.hpcwhisk.core.harvest.PilotLauncher}
 * ({@link io.hpcwhisk.slurm.cli.SlurmCliPilotLauncher}). A failed call raises {@link
 * io.hpcwhisk.slurm.cli.SlurmCommandException} naming the command line, exit code and stderr tail.
 */
package io.hpcwhisk.slurm.cli;
