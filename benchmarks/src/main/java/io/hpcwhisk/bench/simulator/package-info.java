/**
 * Benchmarks of the simulator (never run as tests): {@link
 * io.hpcwhisk.bench.simulator.ReplayBenchmark} times replays of an idle-node log after JVM start-up
 * and prints the figures; {@link io.hpcwhisk.bench.simulator.ScheduleSensitivity} measures how far
 * a batch schedule moves without any pilot when every job's hand-over takes a little longer (the
 * yardstick for the knock-on delays of a run with pilots); {@link
 * io.hpcwhisk.bench.simulator.DelaysBeyondGrace} lists the delays of the jobs that a run with
 * pilots starts more than the grace time late, by the number of backfill passes they span.
 */
package io.hpcwhisk.bench.simulator;
