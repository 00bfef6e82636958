/**
 * Benchmarks of the simulator (never run as tests): {@link io.hpcwhisk.simulator.bench.ReplayBenchmark} times
 * replays of an idle-node log after JVM start-up and prints the figures.
 */
package io.hpcwhisk.simulator.bench;
