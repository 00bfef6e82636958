package io.hpcwhisk.simulator.sacct;

import io.hpcwhisk.simulator.swf.TextFiles;
import io.hpcwhisk.simulator.trace.LineRecords;
import io.hpcwhisk.simulator.trace.TraceFormatException;
import io.hpcwhisk.simulator.trace.TraceReader;
import io.hpcwhisk.simulator.trace.TraceSummary;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Streams the finished jobs of a {@code sacct -P} dump (see the package documentation), timestamps
 * read in the zone given to the constructor (sacct prints local time without a zone); its errors
 * and counted skips ({@value #STEP}, {@value #CANCELLED}, {@value #UNFINISHED}, {@value
 * #ZERO_SIZE}) are stated in docs/simulator-guide.md, "Inputs".
 */
public final class SacctReader implements TraceReader<SacctJob> {

  public static final String STEP = "job step";
  public static final String CANCELLED = "cancelled before start";
  public static final String UNFINISHED = "not finished (no End)";
  public static final String ZERO_SIZE = "zero size";
  public static final List<String> REQUIRED =
      List.of(
          "Submit",
          "Start",
          "End",
          "Timelimit",
          "NNodes",
          "NCPUS",
          "Partition",
          "State",
          "Elapsed");

  private final Path file;
  private final String source;
  private final ZoneId zone;
  private final LineRecords<SacctJob> counts;

  public SacctReader(Path file, ZoneId zone) {
    this.file = file;
    this.source = file.toString();
    this.zone = zone;
    this.counts = new LineRecords<>(source);
  }

  @Override
  public Stream<SacctJob> records() {
    Layout layout = new Layout(); // the header's columns and width, set by the first line
    return counts.stream(
        TextFiles.open(file),
        (line, lineNo) -> {
          if (layout.columns == null) {
            layout.columns = header(line);
            layout.width = line.split("\\|", -1).length;
            return null;
          }
          return parse(line, layout.columns, layout.width);
        },
        lines -> {
          if (layout.columns == null) {
            throw new TraceFormatException(
                source, lines, "file", "a sacct -P header line", "an empty file");
          }
        });
  }

  @Override
  public TraceSummary summary() {
    return counts.summary();
  }

  /** The header of the file being streamed. */
  private static final class Layout {
    Map<String, Integer> columns;
    int width;
  }

  private Map<String, Integer> header(String line) {
    String[] names = line.split("\\|", -1);
    Map<String, Integer> columns = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      columns.put(names[i].strip(), i);
    }
    List<String> missing = new ArrayList<>();
    for (String required : REQUIRED) {
      if (!columns.containsKey(required)) {
        missing.add(required);
      }
    }
    if (!missing.isEmpty()) {
      throw new TraceFormatException(
          source,
          counts.lines(),
          "header",
          "a sacct -P header naming " + REQUIRED + " (missing " + missing + ")",
          TraceFormatException.quote(line));
    }
    return columns;
  }

  private SacctJob parse(String line, Map<String, Integer> columns, int width) {
    String[] f = line.split("\\|", -1);
    if (f.length < width) {
      throw new TraceFormatException(
          source,
          counts.lines(),
          "line",
          width + " '|'-separated fields like the header (truncated line?)",
          f.length + " fields");
    }
    if (f.length > width) {
      throw new TraceFormatException(
          source,
          counts.lines(),
          "line",
          width + " '|'-separated fields like the header (extra columns?)",
          f.length + " fields");
    }
    Integer idColumn = columns.get("JobID");
    String id = idColumn == null ? Long.toString(counts.lines()) : f[idColumn].strip();
    if (id.contains(".")) {
      return skip(STEP);
    }
    String state = field(f, columns, "State").split("\\s+")[0];
    long submit = time(f, columns, "Submit");
    long start = time(f, columns, "Start");
    long end = time(f, columns, "End");
    int nodes = count(f, columns, "NNodes");
    int cpus = count(f, columns, "NCPUS");
    long limit = limit(field(f, columns, "Timelimit"));
    long elapsed = duration(field(f, columns, "Elapsed"), "Elapsed");
    if (submit < 0) {
      throw new TraceFormatException(
          source, counts.lines(), "Submit", "a time YYYY-MM-DDTHH:MM:SS", "'Unknown'");
    }
    if (start < 0) {
      return skip(state.startsWith("CANCELLED") ? CANCELLED : UNFINISHED);
    }
    if (end < 0) {
      return skip(UNFINISHED);
    }
    if (end < start) {
      throw new TraceFormatException(
          source,
          counts.lines(),
          "End",
          "a time at or after Start",
          "End " + (end - start) + " s before Start (negative time)");
    }
    if (nodes <= 0) {
      return skip(ZERO_SIZE);
    }
    return new SacctJob(
        id,
        submit,
        start,
        end,
        limit,
        nodes,
        cpus,
        field(f, columns, "Partition"),
        state,
        elapsed,
        counts.lines());
  }

  private SacctJob skip(String reason) {
    return counts.skip(reason);
  }

  private static String field(String[] f, Map<String, Integer> columns, String name) {
    return f[columns.get(name)].strip();
  }

  private long time(String[] f, Map<String, Integer> columns, String name) {
    String text = field(f, columns, name);
    if (text.isEmpty() || text.equals("Unknown") || text.equals("None")) {
      return -1;
    }
    try {
      return LocalDateTime.parse(text).atZone(zone).toEpochSecond();
    } catch (DateTimeParseException e) {
      throw new TraceFormatException(
          source,
          counts.lines(),
          name,
          "a time YYYY-MM-DDTHH:MM:SS, Unknown or None",
          TraceFormatException.quote(text));
    }
  }

  private int count(String[] f, Map<String, Integer> columns, String name) {
    String text = field(f, columns, name);
    try {
      int value = Integer.parseInt(text);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new TraceFormatException(
        source, counts.lines(), name, "a non-negative integer", TraceFormatException.quote(text));
  }

  private long limit(String text) {
    if (text.equals("UNLIMITED") || text.equals("Partition_Limit") || text.isEmpty()) {
      return -1;
    }
    return duration(text, "Timelimit");
  }

  /** {@code [D-]HH:MM:SS}, {@code MM:SS}, or minutes, as sacct prints durations. */
  long duration(String text, String name) {
    try {
      long days = 0;
      String rest = text;
      int dash = text.indexOf('-');
      if (dash >= 0) {
        days = Long.parseLong(text.substring(0, dash));
        rest = text.substring(dash + 1);
      }
      String[] parts = rest.split(":");
      long seconds;
      if (parts.length == 3) {
        seconds =
            Long.parseLong(parts[0]) * 3600
                + Long.parseLong(parts[1]) * 60
                + Double.valueOf(parts[2]).longValue();
      } else if (parts.length == 2) {
        seconds = Long.parseLong(parts[0]) * 60 + Double.valueOf(parts[1]).longValue();
      } else if (parts.length == 1 && dash < 0) {
        seconds = Long.parseLong(parts[0]) * 60;
      } else {
        throw new NumberFormatException(text);
      }
      long total = days * 86_400 + seconds;
      if (days < 0 || seconds < 0) {
        throw new NumberFormatException(text);
      }
      return total;
    } catch (NumberFormatException e) {
      throw new TraceFormatException(
          source,
          counts.lines(),
          name,
          "a duration [D-]HH:MM:SS, MM:SS or minutes",
          TraceFormatException.quote(text));
    }
  }
}
