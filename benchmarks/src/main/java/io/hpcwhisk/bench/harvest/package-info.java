/**
 * The harvest benchmark (not a test): a seeded synthetic batch workload replayed on a running Slurm
 * cluster, once without harvesting and once per policy, measuring the share of idle node-time held
 * by pilots, the batch jobs' start delay, pilot submissions and preemptions. Run it with {@code
 * hpc-whisk controller bench}.
 */
package io.hpcwhisk.bench.harvest;
