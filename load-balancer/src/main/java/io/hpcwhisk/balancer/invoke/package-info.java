/**
 * Running activations: the {@link io.hpcwhisk.balancer.invoke.ActivationDispatcher} port that the
 * balancer (routing to pilots) and the local runtime executor implement, and the {@link
 * io.hpcwhisk.balancer.invoke.ActivationService} that accepts an invocation durably, throttles per
 * namespace, runs sequences component by component, writes exactly one terminal record per accepted
 * activation and, after a restart, re-dispatches or ends every activation left pending; the {@link
 * io.hpcwhisk.balancer.invoke.QuotaActivationStore} that counts what each namespace keeps for its
 * storage quota, and the chain limit on activations started through activations' own keys.
 */
package io.hpcwhisk.balancer.invoke;
