/**
 * The Slurm adapter (CLI with --json), the cluster snapshot builder and the harvest controller loop.
 */
package io.hpcwhisk.slurm;
