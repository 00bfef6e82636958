/**
 * A real multi-node Slurm cluster on one machine, for development, tests and demos: one {@code
 * slurmctld}, one {@code slurmd -N nK} per node, and a private {@code munged}, all started from
 * Debian's {@code slurm-wlm} and {@code munge} packages and keeping every file (configuration,
 * state, logs, pid files, munge key) under one directory. {@link
 * io.hpcwhisk.localcluster.LocalCluster} is the entry point; {@code hpc-whisk local-cluster} and
 * the test kit's JUnit extension both use it.
 */
package io.hpcwhisk.localcluster;
