/**
 * Routing of activations to pilots as a pure function: {@link
 * io.hpcwhisk.core.routing.Router#choose} takes what the balancer knows about the live pilots
 * ({@link io.hpcwhisk.core.routing.PilotView}) and one activation ({@link
 * io.hpcwhisk.core.routing.RoutingRequest}) and returns a {@link
 * io.hpcwhisk.core.routing.RoutingDecision}: a pilot with the reason it was picked, or a refusal
 * with the reason none could be. The balancer and the simulator call the same code.
 */
package io.hpcwhisk.core.routing;
