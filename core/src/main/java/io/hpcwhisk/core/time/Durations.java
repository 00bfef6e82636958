package io.hpcwhisk.core.time;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes durations the way people write them in configuration: {@code 90s}, {@code 2m},
 * {@code 1h30m}.
 */
public final class Durations {

  private static final Pattern PARTS = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code 1d2h3m4s}, any subset of those parts in that order, {@code 500ms}, or ISO-8601
   * ({@code PT2M}).
   *
   * @throws IllegalArgumentException naming the text when it is neither
   */
  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.strip();
    if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
      try {
        return Duration.parse(trimmed);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "not a duration: '" + text + "' (expected e.g. 90s, 2m, 1h30m)", e);
      }
    }
    Matcher m = PARTS.matcher(trimmed);
    Duration total = Duration.ZERO;
    int at = 0;
    while (m.find() && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      at = m.end();
    }
    if (at == 0 || at != trimmed.length()) {
      throw new IllegalArgumentException(
          "not a duration: '" + text + "' (expected e.g. 90s, 2m, 1h30m)");
    }
    return total;
  }

  /** Formats as {@code 1h30m}, {@code 2m}, {@code 45s}, {@code 2m5s}; zero is {@code 0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder(d.isNegative() ? "-" : "");
    Duration abs = d.abs();
    long h = abs.toHours();
    int m = abs.toMinutesPart();
    int s = abs.toSecondsPart();
    int ms = abs.toMillisPart();
    if (h > 0) {
      out.append(h).append('h');
    }
    if (m > 0) {
      out.append(m).append('m');
    }
    if (s > 0) {
      out.append(s).append('s');
    }
    if (ms > 0) {
      out.append(ms).append("ms");
    }
    return out.toString();
  }

  /** Rounds down to whole minutes, the granularity of Slurm time limits. */
  public static Duration floorToMinutes(Duration d) {
    return Duration.ofMinutes(d.toMinutes());
  }
}
