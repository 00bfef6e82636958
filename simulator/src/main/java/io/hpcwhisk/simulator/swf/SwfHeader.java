package io.hpcwhisk.simulator.swf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The {@code ; Key: value} header of an SWF file. Repeated keys (Queue, Partition, Note) keep their
 * last value in {@link #values()}; the numeric keys the simulator uses are parsed.
 *
 * @param maxNodes {@code MaxNodes}, when present
 * @param maxProcs {@code MaxProcs}, when present
 * @param unixStartTime {@code UnixStartTime}: the unix second that submit time 0 stands for, when
 *     present
 * @param values every key with its (last) raw value
 */
public record SwfHeader(
    OptionalLong maxNodes,
    OptionalLong maxProcs,
    OptionalLong unixStartTime,
    Map<String, String> values) {

  public SwfHeader {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static SwfHeader empty() {
    return new SwfHeader(
        OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Map.of());
  }

  /**
   * Processors per node: {@code MaxProcs / MaxNodes} when both are known and divide evenly, else 1
   * (each processor is a node, as for the NASA iPSC/860).
   */
  public int procsPerNode() {
    if (maxNodes.isPresent()
        && maxProcs.isPresent()
        && maxNodes.getAsLong() > 0
        && maxProcs.getAsLong() % maxNodes.getAsLong() == 0) {
      return (int) (maxProcs.getAsLong() / maxNodes.getAsLong());
    }
    return 1;
  }
}
