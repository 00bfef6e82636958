package io.hpcwhisk.simulator.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a reader read from one trace file and what it skipped on purpose.
 *
 * @param source the file name as given
 * @param lines lines read
 * @param records records produced
 * @param skipped number of skipped lines (or list entries) by reason, in the order first seen
 * @param warnings number of accepted-but-suspicious inputs by reason (for example a node count that
 *     does not match its node list)
 */
public record TraceSummary(
    String source,
    long lines,
    long records,
    Map<String, Long> skipped,
    Map<String, Long> warnings) {

  public TraceSummary {
    Objects.requireNonNull(source, "source");
    if (lines < 0 || records < 0) {
      throw new IllegalArgumentException(
          "lines and records must be >= 0, got " + lines + " and " + records);
    }
    skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    warnings = Collections.unmodifiableMap(new LinkedHashMap<>(warnings));
  }

  /** Total of all skip counts. */
  public long skippedTotal() {
    return skipped.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * One human-readable line, e.g. {@code idle.txt: 29215 lines, 8057 records; skipped: 2359 sinfo
   * lines ...}.
   */
  public String describe() {
    StringBuilder out =
        new StringBuilder(source + ": " + lines + " lines, " + records + " records");
    if (skipped.isEmpty()) {
      out.append("; nothing skipped");
    } else {
      out.append("; skipped: ");
      appendCounts(out, skipped);
    }
    if (!warnings.isEmpty()) {
      out.append("; warnings: ");
      appendCounts(out, warnings);
    }
    return out.toString();
  }

  private static void appendCounts(StringBuilder out, Map<String, Long> counts) {
    String separator = "";
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      out.append(separator).append(entry.getValue()).append(" × ").append(entry.getKey());
      separator = ", ";
    }
  }
}
