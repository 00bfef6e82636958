/**
 * Running activations: the {@link io.hpcwhisk.balancer.invoke.ActivationDispatcher} port that the
 * balancer (routing to pilots) and the local runtime executor implement, and the
 * {@link io.hpcwhisk.balancer.invoke.ActivationService} that accepts an invocation durably, throttles
 * per namespace, runs sequences component by component, writes exactly one terminal record per
 * accepted activation and, after a restart, re-dispatches or ends every activation left pending.
 */
package io.hpcwhisk.balancer.invoke;
