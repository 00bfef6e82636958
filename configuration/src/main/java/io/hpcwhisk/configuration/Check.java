package io.hpcwhisk.configuration;

import io.hpcwhisk.core.time.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Defaults and checks for configuration records, one call per key in a compact constructor, e.g.
 * {@code port = Check.range("api.port", port, 3233, 0, 65535);}: a missing value ({@code null})
 * takes the default, a bad one throws a {@link ConfigException} that names the key and the expected
 * value.
 */
public final class Check {

  private Check() {}

  /**
   * {@code value}, or {@code fallback} when null; {@code key: 70000 is out of range (expected
   * 0..65535)}.
   */
  public static int range(String key, Integer value, int fallback, int min, int max) {
    int v = value == null ? fallback : value;
    if (v < min || v > max) {
      throw outOfRange(key, v, min, max, Integer.MAX_VALUE);
    }
    return v;
  }

  /** As {@link #range(String, Integer, int, int, int)} for long values. */
  public static long range(String key, Long value, long fallback, long min, long max) {
    long v = value == null ? fallback : value;
    if (v < min || v > max) {
      throw outOfRange(key, v, min, max, Long.MAX_VALUE);
    }
    return v;
  }

  /**
   * {@code value}, or {@code fallback} when null; at least {@code min} and at most {@code max}
   * (null: no upper bound).
   */
  public static Duration duration(
      String key, Duration value, Duration fallback, Duration min, Duration max) {
    Duration v = value == null ? fallback : value;
    if (v.compareTo(min) < 0 || (max != null && v.compareTo(max) > 0)) {
      throw new ConfigException(
          key,
          Durations.format(v)
              + " is out of range (expected "
              + (max == null
                  ? "at least " + Durations.format(min)
                  : Durations.format(min) + ".." + Durations.format(max))
              + ")");
    }
    return v;
  }

  /**
   * {@code value}, or {@code fallback} when null; {@code key: "fast" is not one of: pilots, local,
   * none}.
   */
  public static String oneOf(String key, String value, String fallback, String... allowed) {
    String v = value == null ? fallback : value;
    if (Arrays.stream(allowed).noneMatch(v::equals)) {
      throw new ConfigException(key, quote(v) + " is not one of: " + String.join(", ", allowed));
    }
    return v;
  }

  /** {@code value}, or {@code fallback} when null. */
  public static <T> T orDefault(T value, T fallback) {
    return value == null ? fallback : value;
  }

  /** {@code value}, or null when it is null or blank (an empty string in YAML means "not set"). */
  public static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** A required value: {@code key: missing (expected ...)} when null or blank. */
  public static String required(String key, String value, String expected) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, "missing (expected " + expected + ")");
    }
    return value.strip();
  }

  /** {@code key: VALUE problem}, with text values quoted. */
  public static ConfigException bad(String key, Object value, String problem) {
    return new ConfigException(key, quote(value) + " " + problem);
  }

  /**
   * A value for a message: text quoted, at most 80 characters, control characters shown as {@code
   * ?}.
   */
  static String quote(Object value) {
    if (!(value instanceof CharSequence)) {
      return Objects.toString(value);
    }
    String text = value.toString();
    text = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return "\"" + ConfigBinding.printable(text) + "\"";
  }

  private static ConfigException outOfRange(
      String key, long v, long min, long max, long unbounded) {
    return new ConfigException(
        key,
        v
            + " is out of range (expected "
            + (max == unbounded ? "at least " + min : min + ".." + max)
            + ")");
  }
}
