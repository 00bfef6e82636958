/**
 * The balancer's dispatch rules as a pure state machine: {@link
 * io.hpcwhisk.core.dispatch.DispatchMachine#next} takes the {@link
 * io.hpcwhisk.core.dispatch.DispatchState} (registered pilots, the activations it owns as {@link
 * io.hpcwhisk.core.dispatch.Flight}s each in one phase, the {@link
 * io.hpcwhisk.core.dispatch.FairQueue}), one {@link io.hpcwhisk.core.dispatch.DispatchEvent} (an
 * activation submitted; a pilot registered, heartbeating, acknowledging, starting, completing,
 * handing back, draining, leaving or lost; a tick; a stop) and the time, and returns the {@link
 * io.hpcwhisk.core.dispatch.DispatchEffect}s to carry out (send to a pilot, close it, complete an
 * activation, count a metric, log). Routing is core's router; what a take-back means is {@link
 * io.hpcwhisk.core.dispatch.RetryRule}. The balancer's {@code PilotDispatcher} and the simulator's
 * FaaS layer are the shells that drive it; the tests feed it events by hand and at random. The
 * rules in prose: docs/architecture.md, "The balancer: dispatch, queueing, re-dispatch".
 */
package io.hpcwhisk.core.dispatch;
