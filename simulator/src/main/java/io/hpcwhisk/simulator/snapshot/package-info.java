/**
 * The simulator's change-by-change snapshot maker: {@link
 * io.hpcwhisk.simulator.snapshot.IncrementalSnapshotBuilder} gives the same {@code ClusterSnapshot}
 * as core's {@code SnapshotBuilder} at the cost of the changes since the last pass, and says which
 * nodes changed state ({@code NodeChanges}).
 */
package io.hpcwhisk.simulator.snapshot;
