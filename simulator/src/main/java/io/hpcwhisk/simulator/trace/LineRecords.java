package io.hpcwhisk.simulator.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The line loop and the bookkeeping that the streaming text readers ({@code SwfReader}, {@code
 * SacctReader}) share: lines read, records returned, skips counted by reason, blank lines ignored,
 * read errors naming file and line, a check at the end of the file, and a stream that closes the
 * file. The format's own parser turns each non-blank line into a record, or null when the line held
 * no record (a header, a counted skip).
 *
 * @param <R> the record type of the format
 */
public final class LineRecords<R> {

  /** Parses one non-blank line (as read, not stripped); null when it holds no record. */
  @FunctionalInterface
  public interface LineParser<R> {
    R parse(String line, long lineNo);
  }

  /**
   * Runs at the end of the file with the number of lines read; throws when the file as a whole is
   * malformed.
   */
  @FunctionalInterface
  public interface EndCheck {
    void atEnd(long lines);
  }

  private final String source;
  private long lines;
  private long records;
  private Map<String, Long> skipped = new LinkedHashMap<>();

  /**
   * @param source the file name used in summaries and errors
   */
  public LineRecords(String source) {
    this.source = source;
  }

  /**
   * Streams the records of {@code in}, resetting the counters; closing the stream closes {@code
   * in}.
   */
  public Stream<R> stream(BufferedReader in, LineParser<R> parser, EndCheck end) {
    lines = 0;
    records = 0;
    skipped = new LinkedHashMap<>();
    Iterator<R> it =
        new Iterator<>() {
          R next;
          boolean done;

          @Override
          public boolean hasNext() {
            while (next == null && !done) {
              String line;
              try {
                line = in.readLine();
              } catch (IOException e) {
                throw new UncheckedIOException(
                    source + ":" + (lines + 1) + ": cannot read (" + e.getMessage() + ")", e);
              }
              if (line == null) {
                done = true;
                end.atEnd(lines);
                break;
              }
              lines++;
              if (line.isBlank()) {
                continue;
              }
              next = parser.parse(line, lines);
              if (next != null) {
                records++;
              }
            }
            return next != null;
          }

          @Override
          public R next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            R out = next;
            next = null;
            return out;
          }
        };
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(
            () -> {
              try {
                in.close();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  /**
   * Counts a line skipped on purpose; returns null so that a parser can {@code return
   * records.skip(reason)}.
   */
  public <T> T skip(String reason) {
    skipped.merge(reason, 1L, Long::sum);
    return null;
  }

  /** Lines read so far by the current stream. */
  public long lines() {
    return lines;
  }

  /** What the current stream has read and skipped so far. */
  public TraceSummary summary() {
    return new TraceSummary(source, lines, records, skipped, Map.of());
  }
}
