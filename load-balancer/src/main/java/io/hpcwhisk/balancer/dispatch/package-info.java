/**
 * The balancer's dispatcher: the shell around core's dispatch state machine ({@link
 * io.hpcwhisk.core.dispatch.DispatchMachine}). {@link
 * io.hpcwhisk.balancer.dispatch.PilotDispatcher} turns API calls and pilot messages into the
 * machine's events under one lock and carries out its effects — frames over the pilots'
 * connections, closes, the activations' futures, meters and logs — and translates between the API's
 * run requests and the pilot protocol.
 */
package io.hpcwhisk.balancer.dispatch;
