/**
 * The balancer's dispatcher: routes activations to live pilots with the core router, reserves their
 * memory, pushes them over the pilots' connections with acknowledgement and lease, queues what no
 * pilot can take (bounded, fair across namespaces), and re-dispatches or fails what a draining or lost
 * pilot leaves behind, so that every activation ends exactly once.
 */
package io.hpcwhisk.balancer.dispatch;
