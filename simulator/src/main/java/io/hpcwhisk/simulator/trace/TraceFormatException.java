package io.hpcwhisk.simulator.trace;

import java.util.Objects;

/**
 * A trace file is malformed. The message names the file, the 1-based line, the field, what the
 * format expected there and what was found, e.g. {@code idle.txt:12: timestamp: expected unix
 * seconds (digits only), found '16474x1604'}. It is an {@link IllegalArgumentException} so that the
 * command line prints it as one line.
 */
public final class TraceFormatException extends IllegalArgumentException {

  private final String source;
  private final long line;
  private final String field;
  private final String expected;
  private final String found;

  public TraceFormatException(
      String source, long line, String field, String expected, String found) {
    super(message(source, line, field, expected, found));
    this.source = Objects.requireNonNull(source, "source");
    this.line = line;
    this.field = Objects.requireNonNull(field, "field");
    this.expected = Objects.requireNonNull(expected, "expected");
    this.found = Objects.requireNonNull(found, "found");
  }

  private static String message(
      String source, long line, String field, String expected, String found) {
    return source + ":" + line + ": " + field + ": expected " + expected + ", found " + found;
  }

  /** The file (or other source name) that is malformed. */
  public String source() {
    return source;
  }

  /** The 1-based line number; 0 when the whole file is at fault (for example an empty file). */
  public long line() {
    return line;
  }

  /** The field of the format that is malformed, e.g. {@code timestamp} or {@code node name}. */
  public String field() {
    return field;
  }

  /** What the format expected at that place. */
  public String expected() {
    return expected;
  }

  /** What was found instead (quoted text, or a description such as {@code end of file}). */
  public String found() {
    return found;
  }

  /** Quotes a piece of input for a message, shortened to 60 characters. */
  public static String quote(String text) {
    String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
    return "'" + shown + "'";
  }
}
