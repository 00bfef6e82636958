/**
 * Per-node availability over time, as replayed from an idle-node log: the {@link
 * io.hpcwhisk.simulator.availability.AvailabilityReplay} driver streams samples inside a {@link
 * io.hpcwhisk.simulator.availability.SampleWindow} to {@link
 * io.hpcwhisk.simulator.availability.AvailabilityObserver}s (one pass, nothing but per-sample
 * counts kept), tells them where each node's maximal run of available samples ends, and {@link
 * io.hpcwhisk.simulator.availability.AvailabilityStats} keeps the facts every report shares.
 */
package io.hpcwhisk.simulator.availability;
