/**
 * The invoker pilot: the process a pilot job runs on a compute node. {@link
 * io.hpcwhisk.pilot.InvokerPilot} wires the balancer link, timers, workers and runtimes; {@link
 * io.hpcwhisk.pilot.ActivationLedger} keeps the activations it holds and decides over them.
 */
package io.hpcwhisk.pilot;
