package io.hpcwhisk.simulator.swf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many nodes the cluster of an SWF trace has, and from where that was taken: the header's
 * {@code MaxProcs} (else {@code MaxNodes}); else a companion machines file beside the trace ({@code
 * NAME.machines} for {@code NAME.swf}, {@code NAME.swf.gz} or {@code NAME}; one machine per line,
 * {@code #} or {@code ;} comments and blank lines ignored); else the trace's own maxima (the
 * largest job, in nodes). Archives without the header keys ship one of the latter two.
 *
 * @param nodes the cluster's nodes, at least 1
 * @param source what gave the count, for the report and the console
 */
public record SwfClusterSize(int nodes, String source) {

  public SwfClusterSize {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be >= 1, got " + nodes);
    }
  }

  /**
   * The cluster size of {@code file} at {@code perNode} processors per node (reads the trace only
   * as a last resort).
   */
  public static SwfClusterSize of(Path file, SwfHeader header, int perNode) {
    if (header.maxProcs().isPresent() || header.maxNodes().isPresent()) {
      long procs = header.maxProcs().orElse(header.maxNodes().orElse(0) * perNode);
      String key =
          header.maxProcs().isPresent()
              ? "MaxProcs " + procs
              : "MaxNodes " + header.maxNodes().getAsLong();
      return new SwfClusterSize((int) Math.max(1, procs / perNode), "header " + key);
    }
    Path machines = machinesFile(file);
    if (Files.isRegularFile(machines)) {
      long count = countMachines(machines);
      if (count < 1) {
        throw new IllegalArgumentException(
            machines + ": expected one machine per line, found no machine; " + "give --nodes");
      }
      return new SwfClusterSize(
          (int) Math.min(Integer.MAX_VALUE, count), "machines file " + machines);
    }
    SwfReader reader = new SwfReader(file);
    try (var stream = reader.records()) {
      stream.forEach(job -> {});
    }
    long nodes = (reader.maxProcs() + perNode - 1) / perNode;
    return new SwfClusterSize(
        (int) Math.max(1, Math.min(Integer.MAX_VALUE, nodes)),
        "the trace's largest job ("
            + reader.maxProcs()
            + " processors; no MaxNodes/MaxProcs header and no "
            + machines.getFileName()
            + ")");
  }

  /**
   * {@code NAME.machines} beside {@code NAME.swf}, {@code NAME.swf.gz}, {@code NAME.gz} or {@code
   * NAME}.
   */
  static Path machinesFile(Path file) {
    String name = file.getFileName().toString();
    for (String suffix : new String[] {".gz", ".swf"}) {
      if (name.endsWith(suffix)) {
        name = name.substring(0, name.length() - suffix.length());
      }
    }
    return file.resolveSibling(name + ".machines");
  }

  private static long countMachines(Path machines) {
    long count = 0;
    try (BufferedReader in = TextFiles.open(machines)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#") && !t.startsWith(";")) {
          count++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + machines, e);
    }
    return count;
  }
}
