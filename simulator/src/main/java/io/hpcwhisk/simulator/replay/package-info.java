/**
 * The entry point the {@code hpc-whisk simulate} commands call: a {@link
 * io.hpcwhisk.simulator.replay.ReplayRequest} (which log, which window, clairvoyant ladder or
 * online policy, where to write) is run by {@link io.hpcwhisk.simulator.replay.Replays}, which
 * picks the engine, writes the outputs and returns the result.
 */
package io.hpcwhisk.simulator.replay;
