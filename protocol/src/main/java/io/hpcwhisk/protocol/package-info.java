/**
 * The pilot-balancer protocol: the JSON messages a pilot and the load balancer exchange over one
 * WebSocket per pilot, as Jackson records, plus the activation values both sides (and the API)
 * share ({@link io.hpcwhisk.protocol.ActivationStatus}). Every message carries the protocol
 * version; see {@link io.hpcwhisk.protocol.PilotMessage} and {@link
 * io.hpcwhisk.protocol.BalancerMessage} for the conversation. Shared activation records live here
 * rather than in {@code core/} because they carry JSON results as Jackson nodes and {@code core/}
 * depends on the JDK only.
 */
package io.hpcwhisk.protocol;
