package io.hpcwhisk.simulator.swf;

import io.hpcwhisk.simulator.trace.LineRecords;
import io.hpcwhisk.simulator.trace.TraceFormatException;
import io.hpcwhisk.simulator.trace.TraceReader;
import io.hpcwhisk.simulator.trace.TraceSummary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Streams the jobs of an SWF v2.2 file; extra columns ({@value #EXTRA_COLUMNS}), errors and counted
 * skips ({@value #CANCELLED}, {@value #UNKNOWN_SUBMIT}, {@value #UNKNOWN_RUNTIME}, {@value
 * #ZERO_SIZE}) are stated in docs/simulator-guide.md, "Inputs".
 */
public final class SwfReader implements TraceReader<SwfJob> {

  public static final String CANCELLED = "cancelled before start";
  public static final String UNKNOWN_SUBMIT = "unknown submit time";
  public static final String UNKNOWN_RUNTIME = "unknown run time";
  public static final String ZERO_SIZE = "zero size";
  public static final String EXTRA_COLUMNS = "lines with columns after the 18 SWF fields (ignored)";
  static final int FIELDS = 18;
  private static final String[] NAMES = {
    "job number",
    "submit time",
    "wait time",
    "run time",
    "allocated processors",
    "average CPU time",
    "used memory",
    "requested processors",
    "requested time",
    "requested memory",
    "status",
    "user",
    "group",
    "executable",
    "queue",
    "partition",
    "preceding job",
    "think time"
  };

  private final Path file;
  private final String source;
  private final LineRecords<SwfJob> counts;
  private SwfHeader header = SwfHeader.empty();
  private long extraColumns;
  private long maxProcs;

  public SwfReader(Path file) {
    this.file = file;
    this.source = file.toString();
    this.counts = new LineRecords<>(source);
  }

  /** Reads only the header (the {@code ;} lines before the first job). */
  public static SwfHeader readHeader(Path file) {
    SwfReader reader = new SwfReader(file);
    try (BufferedReader in = TextFiles.open(file)) {
      Map<String, String> values = new LinkedHashMap<>();
      String line;
      while ((line = in.readLine()) != null) {
        String t = line.strip();
        if (t.isEmpty()) {
          continue;
        }
        if (!t.startsWith(";")) {
          break;
        }
        reader.headerLine(t, values);
      }
      return reader.toHeader(values, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The header keys seen so far by the current stream (complete once the first job was read). */
  public SwfHeader header() {
    return header;
  }

  @Override
  public Stream<SwfJob> records() {
    Map<String, String> values = new LinkedHashMap<>();
    boolean[] sawJobLine = {false};
    extraColumns = 0;
    maxProcs = 0;
    return counts.stream(
        TextFiles.open(file),
        (line, lineNo) -> {
          String t = line.strip();
          if (t.startsWith(";")) {
            headerLine(t, values);
            if (!sawJobLine[0]) {
              header = toHeader(values, lineNo);
            }
            return null;
          }
          sawJobLine[0] = true;
          return parse(t, lineNo);
        },
        lines -> {
          if (!sawJobLine[0]) {
            throw new TraceFormatException(
                source,
                lines,
                "file",
                "SWF job lines (18 numbers each)",
                lines == 0 ? "an empty file" : "no job line in " + lines + " lines");
          }
        });
  }

  @Override
  public TraceSummary summary() {
    TraceSummary s = counts.summary();
    if (extraColumns == 0) {
      return s;
    }
    return new TraceSummary(
        s.source(), s.lines(), s.records(), s.skipped(), Map.of(EXTRA_COLUMNS, extraColumns));
  }

  /**
   * The most processors of any job read so far (allocated, else requested): the trace's own cluster
   * size bound.
   */
  public long maxProcs() {
    return maxProcs;
  }

  private void headerLine(String t, Map<String, String> values) {
    String body = t.substring(1).strip();
    int colon = body.indexOf(':');
    if (colon > 0 && body.substring(0, colon).chars().allMatch(Character::isLetterOrDigit)) {
      values.put(body.substring(0, colon), body.substring(colon + 1).strip());
    }
  }

  private SwfHeader toHeader(Map<String, String> values, long line) {
    return new SwfHeader(
        headerNumber(values, "MaxNodes", line),
        headerNumber(values, "MaxProcs", line),
        headerNumber(values, "UnixStartTime", line),
        values);
  }

  private OptionalLong headerNumber(Map<String, String> values, String key, long line) {
    String value = values.get(key);
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.split("\\s+")[0]));
    } catch (NumberFormatException e) {
      throw new TraceFormatException(
          source, line, "header " + key, "an integer", TraceFormatException.quote(value));
    }
  }

  /** Parses one job line; null when it is skipped (and counted). */
  SwfJob parse(String line, long lineNo) {
    String[] f = line.split("\\s+");
    int standard = Math.min(FIELDS, f.length);
    String separator = otherSeparator(f, standard);
    if (separator != null) {
      String[] parts = line.split(Pattern.quote(separator), -1);
      throw new TraceFormatException(
          source,
          lineNo,
          "line",
          FIELDS + " whitespace-separated numbers (SWF)",
          "a '"
              + separator
              + "'-separated line of "
              + parts.length
              + " fields (another format? sacct -P dumps are "
              + "read with --sacct) "
              + TraceFormatException.quote(line));
    }
    if (f.length < FIELDS) {
      throw new TraceFormatException(
          source, lineNo, "line", FIELDS + " fields (truncated line?)", f.length + " fields");
    }
    if (f.length > FIELDS) {
      extraColumns++;
    }
    long[] v = new long[FIELDS];
    for (int i = 0; i < FIELDS; i++) {
      v[i] = number(f[i], i, lineNo);
    }
    for (int i : new int[] {1, 2, 3, 8}) {
      if (v[i] < -1) {
        throw new TraceFormatException(
            source,
            lineNo,
            NAMES[i],
            "-1 (unknown) or a time >= 0 seconds",
            TraceFormatException.quote(f[i]));
      }
    }
    SwfJob job =
        new SwfJob(
            v[0],
            v[1],
            v[2],
            v[3],
            v[4],
            v[7],
            v[8],
            (int) v[10],
            (int) v[14],
            (int) v[15],
            lineNo);
    if (job.status() == SwfJob.STATUS_CANCELLED && job.runTime() <= 0) {
      return skip(CANCELLED);
    }
    if (job.submit() < 0) {
      return skip(UNKNOWN_SUBMIT);
    }
    if (job.runTime() < 0) {
      return skip(UNKNOWN_RUNTIME);
    }
    if (job.procs() <= 0) {
      return skip(ZERO_SIZE);
    }
    maxProcs = Math.max(maxProcs, job.procs());
    return job;
  }

  /**
   * The separator of a line in another format: '|' anywhere among the standard fields, or ',' in a
   * line whose standard fields hold no whitespace-separated numbers at all (a CSV line); a comma
   * inside a brace list is left to the field check, which names it. Null for an SWF-shaped line.
   */
  private static String otherSeparator(String[] f, int standard) {
    for (int i = 0; i < standard; i++) {
      if (f[i].indexOf('|') >= 0) {
        return "|";
      }
    }
    if (standard < FIELDS) {
      for (int i = 0; i < standard; i++) {
        if (f[i].indexOf(',') >= 0 && !f[i].startsWith("{")) {
          return ",";
        }
      }
    }
    return null;
  }

  private SwfJob skip(String reason) {
    return counts.skip(reason);
  }

  private long number(String text, int field, long lineNo) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException notLong) {
      try {
        double d = Double.parseDouble(text);
        if (Double.isFinite(d)) {
          return Math.round(d);
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new TraceFormatException(
          source,
          lineNo,
          "field " + (field + 1) + " (" + NAMES[field] + ")",
          "a number",
          (text.startsWith("{") ? "a brace list " : "") + TraceFormatException.quote(text));
    }
  }
}
