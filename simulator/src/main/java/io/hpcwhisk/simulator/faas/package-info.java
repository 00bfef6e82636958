/**
 * The FaaS layer on top of the batch simulation: activations (from the Azure Functions 2019 per-minute trace or a
 * seeded synthetic generator) are routed by the production {@link io.hpcwhisk.core.routing.Router} to the pilots the
 * batch run started, queued while no pilot can take them, re-dispatched when their pilot is preempted or times out
 * under them, and reported as succeeded, queued, timed out, re-dispatched and latency percentiles.
 */
package io.hpcwhisk.simulator.faas;
