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
import java.util.stream.Stream;

/**
 * Streams the jobs of an SWF v2.2 file.
 *
 * <p><b>Errors</b> (a {@link TraceFormatException} naming file:line: field): a line with fewer than 18 fields
 * (truncated) or more (extra columns); a field that is not a number; a time (submit, wait, run, requested) below
 * {@code -1}; a pipe- or comma-separated line (wrong format, e.g. a sacct dump); a file with no job line at all
 * (empty file).
 *
 * <p><b>Counted skips</b> (reason → count in {@link #summary()}): {@value #CANCELLED} (status 5 and no run time),
 * {@value #UNKNOWN_SUBMIT}, {@value #UNKNOWN_RUNTIME}, {@value #ZERO_SIZE} (no allocated nor requested
 * processors). Blank lines are ignored.
 */
public final class SwfReader implements TraceReader<SwfJob> {

  public static final String CANCELLED = "cancelled before start";
  public static final String UNKNOWN_SUBMIT = "unknown submit time";
  public static final String UNKNOWN_RUNTIME = "unknown run time";
  public static final String ZERO_SIZE = "zero size";
  static final int FIELDS = 18;
  private static final String[] NAMES = {"job number", "submit time", "wait time", "run time",
      "allocated processors", "average CPU time", "used memory", "requested processors", "requested time",
      "requested memory", "status", "user", "group", "executable", "queue", "partition", "preceding job",
      "think time"};

  private final Path file;
  private final String source;
  private final LineRecords<SwfJob> counts;
  private SwfHeader header = SwfHeader.empty();

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
    return counts.stream(TextFiles.open(file), (line, lineNo) -> {
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
    }, lines -> {
      if (!sawJobLine[0]) {
        throw new TraceFormatException(source, lines, "file", "SWF job lines (18 numbers each)",
            lines == 0 ? "an empty file" : "no job line in " + lines + " lines");
      }
    });
  }

  @Override
  public TraceSummary summary() {
    return counts.summary();
  }

  private void headerLine(String t, Map<String, String> values) {
    String body = t.substring(1).strip();
    int colon = body.indexOf(':');
    if (colon > 0 && body.substring(0, colon).chars().allMatch(Character::isLetterOrDigit)) {
      values.put(body.substring(0, colon), body.substring(colon + 1).strip());
    }
  }

  private SwfHeader toHeader(Map<String, String> values, long line) {
    return new SwfHeader(headerNumber(values, "MaxNodes", line), headerNumber(values, "MaxProcs", line),
        headerNumber(values, "UnixStartTime", line), values);
  }

  private OptionalLong headerNumber(Map<String, String> values, String key, long line) {
    String value = values.get(key);
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.split("\\s+")[0]));
    } catch (NumberFormatException e) {
      throw new TraceFormatException(source, line, "header " + key, "an integer", TraceFormatException.quote(value));
    }
  }

  /** Parses one job line; null when it is skipped (and counted). */
  SwfJob parse(String line, long lineNo) {
    if (line.indexOf('|') >= 0 || line.indexOf(',') >= 0) {
      throw new TraceFormatException(source, lineNo, "line", "18 whitespace-separated numbers (SWF); a "
          + (line.indexOf('|') >= 0 ? "'|'" : "','") + "-separated line looks like another format (sacct -P "
          + "dumps are read with --sacct)", TraceFormatException.quote(line));
    }
    String[] f = line.split("\\s+");
    if (f.length < FIELDS) {
      throw new TraceFormatException(source, lineNo, "line", FIELDS + " fields (truncated line?)",
          f.length + " fields");
    }
    if (f.length > FIELDS) {
      throw new TraceFormatException(source, lineNo, "line", FIELDS + " fields (extra columns?)",
          f.length + " fields");
    }
    long[] v = new long[FIELDS];
    for (int i = 0; i < FIELDS; i++) {
      v[i] = number(f[i], i, lineNo);
    }
    for (int i : new int[] {1, 2, 3, 8}) {
      if (v[i] < -1) {
        throw new TraceFormatException(source, lineNo, NAMES[i], "-1 (unknown) or a time >= 0 seconds",
            TraceFormatException.quote(f[i]));
      }
    }
    SwfJob job = new SwfJob(v[0], v[1], v[2], v[3], v[4], v[7], v[8], (int) v[10], (int) v[14], (int) v[15],
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
    return job;
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
      throw new TraceFormatException(source, lineNo, "field " + (field + 1) + " (" + NAMES[field] + ")",
          "a number", TraceFormatException.quote(text));
    }
  }
}
