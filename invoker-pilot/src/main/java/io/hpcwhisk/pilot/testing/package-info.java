/**
 * Test doubles that speak the real pilot protocol: {@link io.hpcwhisk.pilot.testing.FakeBalancer}, a
 * WebSocket server standing in for the load balancer in the pilot's tests, its Slurm integration tests
 * and the start-up benchmark.
 */
package io.hpcwhisk.pilot.testing;
