/**
 * The controller's load on Slurm (not a test: it prints figures): per pass the controller's CPU,
 * wall time and bytes read, and slurmctld's RPC rate from {@code sdiag}, next to the job manager's
 * way of polling ({@code squeue} every 15 s) on the same cluster.
 */
package io.hpcwhisk.bench.controller;
