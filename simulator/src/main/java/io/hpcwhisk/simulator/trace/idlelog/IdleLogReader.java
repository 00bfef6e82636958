package io.hpcwhisk.simulator.trace.idlelog;

import io.hpcwhisk.simulator.trace.TraceFiles;
import io.hpcwhisk.simulator.trace.TraceFormatException;
import io.hpcwhisk.simulator.trace.TraceReader;
import io.hpcwhisk.simulator.trace.TraceSummary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Streams the HPC-Whisk idle-node log as {@link IdleSample}s; the format, what is skipped or
 * counted and each {@link TraceFormatException} are stated in docs/simulator-guide.md, "The log and
 * how it is read".
 */
public final class IdleLogReader implements TraceReader<IdleSample> {

  private static final String SEPARATOR = "----";
  private static final String INVOKERS = "invokers:";
  private static final String SINFO_COLUMNS =
      "6 columns (partition avail timelimit nodes state nodelist)";

  private final Path file;
  private final String source;
  private volatile Parser current;

  public IdleLogReader(Path file) {
    this.file = Objects.requireNonNull(file, "file");
    this.source = file.toString();
  }

  @Override
  public Stream<IdleSample> records() {
    BufferedReader in = TraceFiles.open(file);
    Parser parser = new Parser(in);
    current = parser;
    Spliterator<IdleSample> spliterator =
        Spliterators.spliteratorUnknownSize(parser, Spliterator.ORDERED | Spliterator.NONNULL);
    return StreamSupport.stream(spliterator, false).onClose(parser::close);
  }

  @Override
  public TraceSummary summary() {
    Parser parser = current;
    if (parser == null) {
      return new TraceSummary(source, 0, 0, Map.of(), Map.of());
    }
    return new TraceSummary(
        source, parser.lineNumber, parser.records, parser.skipped, parser.warnings);
  }

  /** Characters consumed so far by the open stream (for progress reporting), 0 before any. */
  public long charsRead() {
    Parser parser = current;
    return parser == null ? 0 : parser.chars;
  }

  /** The record state machine: timestamp, invokers line, sinfo lines, separator. */
  private final class Parser implements Iterator<IdleSample> {
    private final BufferedReader in;
    private final Map<String, Long> skipped = new LinkedHashMap<>();
    private final Map<String, Long> warnings = new LinkedHashMap<>();
    private long lineNumber;
    private long chars;
    private long records;
    private long previousTimestamp = Long.MIN_VALUE;
    private long previousTimestampLine;
    private IdleSample next;
    private boolean done;

    Parser(BufferedReader in) {
      this.in = in;
    }

    @Override
    public boolean hasNext() {
      if (next == null && !done) {
        next = readRecord();
        done = next == null;
      }
      return next != null;
    }

    @Override
    public IdleSample next() {
      if (!hasNext()) {
        throw new NoSuchElementException("no more records in " + source);
      }
      IdleSample sample = next;
      next = null;
      return sample;
    }

    void close() {
      try {
        in.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close " + source, e);
      }
    }

    private String readLine() {
      try {
        String line = in.readLine();
        if (line != null) {
          lineNumber++;
          chars += line.length() + 1;
        }
        return line;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + source + " after line " + lineNumber, e);
      }
    }

    private IdleSample readRecord() {
      String line = readLine();
      while (line != null && line.isBlank()) {
        count(skipped, "blank line between records");
        line = readLine();
      }
      if (line == null) {
        if (records == 0) {
          throw error(
              0,
              "file",
              "at least one record (timestamp, 'invokers:' line, sinfo lines, '----')",
              lineNumber == 0 ? "an empty file" : "only blank lines");
        }
        return null;
      }
      long recordLine = lineNumber;
      long timestamp = parseTimestamp(line.strip());

      String invokersLine = readLine();
      if (invokersLine == null || !invokersLine.startsWith(INVOKERS)) {
        throw error(
            invokersLine == null ? recordLine : lineNumber,
            "invokers",
            "an 'invokers: <node list>' line after the timestamp of line "
                + recordLine
                + " (record truncated?)",
            invokersLine == null ? "end of file" : TraceFormatException.quote(invokersLine));
      }
      BitSet invokers = new BitSet();
      parseNodes(invokersLine.substring(INVOKERS.length()), invokers, "invokers node name");

      BitSet idle = new BitSet();
      for (String sinfo = readLine(); ; sinfo = readLine()) {
        if (sinfo == null) {
          throw error(
              lineNumber,
              "record end",
              "'----' closing the record that starts at line " + recordLine + " (record truncated)",
              "end of file");
        }
        String stripped = sinfo.strip();
        if (stripped.equals(SEPARATOR)) {
          break;
        }
        if (isDigits(stripped)) {
          throw error(
              lineNumber,
              "record end",
              "'----' closing the record that starts at line " + recordLine + " (record truncated)",
              "the next timestamp " + TraceFormatException.quote(stripped));
        }
        readSinfo(stripped, idle);
      }
      records++;
      return new IdleSample(timestamp, invokers, idle, recordLine);
    }

    private long parseTimestamp(String text) {
      if (text.startsWith(INVOKERS) || text.equals(SEPARATOR)) {
        throw error(
            lineNumber,
            "timestamp",
            "a unix timestamp starting a record (record truncated?)",
            TraceFormatException.quote(text));
      }
      if (!isDigits(text) || text.length() > 12) {
        throw error(
            lineNumber,
            "timestamp",
            "unix seconds (up to 12 digits)",
            TraceFormatException.quote(text));
      }
      long timestamp = Long.parseLong(text);
      if (timestamp <= previousTimestamp) {
        throw error(
            lineNumber,
            "timestamp",
            "a time after the previous record's "
                + previousTimestamp
                + " (line "
                + previousTimestampLine
                + ")",
            TraceFormatException.quote(text));
      }
      previousTimestamp = timestamp;
      previousTimestampLine = lineNumber;
      return timestamp;
    }

    private void readSinfo(String line, BitSet idle) {
      String[] columns = line.split("\\s+");
      if (columns.length < 6) {
        throw error(
            lineNumber,
            "sinfo line",
            SINFO_COLUMNS + " (line truncated?)",
            columns.length + " column(s) in " + TraceFormatException.quote(line));
      }
      if (columns.length > 6) {
        throw error(
            lineNumber,
            "sinfo line",
            SINFO_COLUMNS,
            columns.length + " columns in " + TraceFormatException.quote(line));
      }
      String state = columns[4];
      if (!state.equals("idle")) {
        count(skipped, "sinfo line in state '" + state + "' (only exactly 'idle' counts)");
        return;
      }
      if (!isDigits(columns[3])) {
        throw error(
            lineNumber,
            "sinfo node count",
            "a number of nodes",
            TraceFormatException.quote(columns[3]));
      }
      int named = parseNodes(columns[5], idle, "sinfo node name");
      if (named != Long.parseLong(columns[3])) {
        count(warnings, "sinfo node count that differs from its node list");
      }
    }

    private int parseNodes(String list, BitSet into, String field) {
      try {
        return NodeNames.parseList(list, into);
      } catch (NodeNames.MalformedNodeList e) {
        throw error(lineNumber, field, NodeNames.EXPECTED, TraceFormatException.quote(e.found()));
      }
    }

    private TraceFormatException error(long line, String field, String expected, String found) {
      return new TraceFormatException(source, line, field, expected, found);
    }
  }

  private static void count(Map<String, Long> counts, String reason) {
    counts.merge(reason, 1L, Long::sum);
  }

  private static boolean isDigits(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
