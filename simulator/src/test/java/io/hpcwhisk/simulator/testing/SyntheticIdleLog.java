package io.hpcwhisk.simulator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small idle-node logs for tests: a node × sample matrix of availability, one record every
 * 10 s, invokers and idle nodes alternating so both kinds of availability are exercised.
 */
public final class SyntheticIdleLog {

  public static final long START = 1_647_471_600L;
  private final List<boolean[]> rows = new ArrayList<>();
  private final int samples;

  public SyntheticIdleLog(int samples) {
    this.samples = samples;
  }

  /** Node {@code node} is available in samples {@code [from, to)}. */
  public SyntheticIdleLog available(int node, int from, int to) {
    while (rows.size() <= node) {
      rows.add(new boolean[samples]);
    }
    for (int i = from; i < to; i++) {
      rows.get(node)[i] = true;
    }
    return this;
  }

  /** Writes the log to {@code file} and returns it. */
  public Path write(Path file) {
    StringBuilder out = new StringBuilder();
    for (int t = 0; t < samples; t++) {
      out.append(START + 10L * t).append('\n');
      List<String> invokers = new ArrayList<>();
      List<String> idle = new ArrayList<>();
      for (int node = 0; node < rows.size(); node++) {
        if (rows.get(node)[t]) {
          (node % 2 == 0 ? invokers : idle).add(String.format("%04d", node));
        }
      }
      out.append("invokers: ")
          .append(String.join(",", invokers.stream().map(n -> "p" + n).toList()))
          .append('\n');
      if (!idle.isEmpty()) {
        out.append("lowprio up 12:00:00 ")
            .append(idle.size())
            .append(" idle p[")
            .append(String.join(",", idle))
            .append("]\n");
      }
      out.append("lowprio up 12:00:00 1 idle~ p0999\n");
      out.append("----\n");
    }
    try {
      return Files.writeString(file, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
