/**
 * Action runtimes without Docker: {@link io.hpcwhisk.runtime.ActionRuntimes} keeps warm runtime
 * processes per action version and runs activations in them; {@link
 * io.hpcwhisk.runtime.ActionContainer} is one such process (node, python3, java or a native
 * executable) speaking OpenWhisk's action-loop protocol (JSON line in on stdin, JSON line out on fd
 * 3) through HPC-Whisk's own launchers. Inputs are {@link io.hpcwhisk.runtime.ActionSpec} (the
 * {@code /init} part) and {@link io.hpcwhisk.runtime.ActivationInput} (the {@code /run} part); the
 * output is an {@link io.hpcwhisk.runtime.ActivationResult} whose status is the shared {@link
 * io.hpcwhisk.protocol.ActivationStatus}, the only type this module takes from the rest of
 * HPC-Whisk. The invoker pilot runs its activations here, and the API server's local executor
 * ({@code api.executor: local}) runs them in-process with the same code; the activation record the
 * server stores is its own and is built from the {@code ActivationResult} (status, result, logs,
 * start, end, initTime).
 */
package io.hpcwhisk.runtime;
