/**
 * The HPC-Whisk idle-node log (SC22 artifact, Cyfronet Prometheus): a loop of records — a unix
 * timestamp, an {@code invokers:} line naming the nodes that hold a running pilot, zero or more
 * {@code sinfo -h -p lowprio} lines, and {@code ----}. {@link
 * io.hpcwhisk.simulator.trace.idlelog.IdleLogReader} streams it as {@link
 * io.hpcwhisk.simulator.trace.idlelog.IdleSample}s; {@link
 * io.hpcwhisk.simulator.trace.idlelog.NodeNames} parses the {@code p0016} / {@code
 * p[0016,0123-0125]} node names into numeric node ids.
 */
package io.hpcwhisk.simulator.trace.idlelog;
