/**
 * Test fixtures shared by every module's integration tests. {@link io.hpcwhisk.testkit.SlurmTest}
 * marks a test class that needs a real Slurm: {@link io.hpcwhisk.testkit.LocalSlurmExtension}
 * starts one local multi-node cluster per test run, hands each test a {@link
 * io.hpcwhisk.testkit.SlurmEnv} bound to it, cleans the queue between tests and stops the cluster
 * at the end. {@link io.hpcwhisk.testkit.PilotJobs} submits real pilot jobs with the shipped batch
 * script. {@link io.hpcwhisk.testkit.LocalAttacker} is an ordinary local account the security tests
 * attack from. {@link io.hpcwhisk.testkit.FakeBalancer} stands in for the load balancer in the
 * pilot's tests and benchmarks (the real pilot protocol over a loopback WebSocket); {@link
 * io.hpcwhisk.testkit.ActionArchives} builds the code of test actions (zips, compiled Java jars).
 */
package io.hpcwhisk.testkit;
