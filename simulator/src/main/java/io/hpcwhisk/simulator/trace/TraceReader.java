package io.hpcwhisk.simulator.trace;

import java.util.stream.Stream;

/**
 * Reads one trace file as a stream of records, one format per implementation (Caffeine-simulator
 * style).
 *
 * <p>Readers stream: they hold one record at a time, never the whole file. Malformed input ends the
 * stream with a {@link TraceFormatException}; input that is well formed but deliberately ignored
 * (blank lines, states the format says do not count) is counted in {@link #summary()}.
 *
 * @param <R> the record type of the format
 */
public interface TraceReader<R> {

  /**
   * Streams the records in file order. Close the stream (try-with-resources) to close the file.
   * Each call opens the file anew and resets the summary.
   *
   * @throws TraceFormatException while streaming, on the first malformed line
   * @throws java.io.UncheckedIOException when the file cannot be read
   */
  Stream<R> records();

  /**
   * What the last {@link #records()} stream has read and skipped so far; complete once it is
   * exhausted.
   */
  TraceSummary summary();
}
