/**
 * The HPC-Whisk paper's clairvoyant simulation: pilot-length ladders ({@link
 * io.hpcwhisk.simulator.ladder.Ladder}, A1 … C2 or any list of minutes) packed greedily into every
 * run of available samples by {@link io.hpcwhisk.simulator.ladder.ClairvoyantLadderReplay}.
 * Clairvoyant because each run's length is known when it is packed; it is the upper reference the
 * online policies are measured against.
 */
package io.hpcwhisk.simulator.ladder;
