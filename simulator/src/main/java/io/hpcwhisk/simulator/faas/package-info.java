/**
 * The FaaS layer on top of the batch simulation: activations (from the Azure Functions 2019
 * per-minute trace or a seeded synthetic generator) go through the balancer's own dispatch rules
 * (core's {@link io.hpcwhisk.core.dispatch.DispatchMachine}: router, fair queue, wait limit,
 * re-dispatch, retry rule) to the pilots the batch run started, and are reported as succeeded,
 * queued, timed out, re-dispatched, failed and latency percentiles.
 */
package io.hpcwhisk.simulator.faas;
