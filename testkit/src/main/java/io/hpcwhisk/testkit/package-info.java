/**
 * Test fixtures shared by every module's integration tests. {@link io.hpcwhisk.testkit.SlurmTest} marks a
 * test class that needs a real Slurm: {@link io.hpcwhisk.testkit.LocalSlurmExtension} starts one local
 * multi-node cluster per test run, hands each test a {@link io.hpcwhisk.testkit.SlurmEnv} bound to it,
 * cleans the queue between tests and stops the cluster at the end. {@link io.hpcwhisk.testkit.PilotJobs}
 * submits real pilot jobs with the shipped batch script.
 * {@link io.hpcwhisk.testkit.LocalAttacker} is an ordinary local account the security tests attack from.
 */
package io.hpcwhisk.testkit;
