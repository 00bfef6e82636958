package io.hpcwhisk.simulator.batch;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * The model's clock unit, the <i>tick</i>: a second ({@link #SECONDS}, the traces' own resolution
 * and the default) or a millisecond ({@link #MILLIS}, chosen when a setting such as the drain time
 * has a fraction of a second: a real pilot hands its node over in 0.2–0.7 s). Every time inside the
 * engine — {@link JobSpec} times, the {@link SchedulerConfig} durations, events, plans, starts — is
 * a whole number of ticks; this type converts at the edges: trace seconds in, seconds and {@link
 * Instant}s out.
 *
 * <p>Example: with {@code MILLIS} a drain of 0.4 s is 400 ticks, a job submitted at trace second 12
 * is submitted at tick 12,000, and a wait of 1,500 ticks is reported as 1.5 s.
 *
 * @param ticksPerSecond 1 or 1000
 */
public record TimeBase(int ticksPerSecond) {

  public static final TimeBase SECONDS = new TimeBase(1);
  public static final TimeBase MILLIS = new TimeBase(1000);

  public TimeBase {
    if (ticksPerSecond != 1 && ticksPerSecond != 1000) {
      throw new IllegalArgumentException(
          "ticks per second must be 1 or 1000, got " + ticksPerSecond);
    }
  }

  /** {@link #SECONDS} when every one of {@code seconds} is whole, else {@link #MILLIS}. */
  public static TimeBase fitting(double... seconds) {
    for (double s : seconds) {
      if (s != Math.rint(s)) {
        return MILLIS;
      }
    }
    return SECONDS;
  }

  /** Whole seconds in ticks. */
  public long ticks(long seconds) {
    return Math.multiplyExact(seconds, ticksPerSecond);
  }

  /**
   * Seconds (a duration: finite, not negative) in ticks; refused when they are not a whole number
   * of ticks (0.4 s in {@code SECONDS}, or 0.0004 s), rather than rounded, so that the model never
   * runs with another value than the one given.
   */
  public long ticks(double seconds, String what) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      throw new IllegalArgumentException(
          what
              + " "
              + (Double.isFinite(seconds) ? format(seconds) : seconds)
              + " s: expected seconds >= 0");
    }
    double ticks = seconds * ticksPerSecond;
    long whole = Math.round(ticks);
    if (Math.abs(ticks - whole) > 1e-6) {
      throw new IllegalArgumentException(
          what
              + " "
              + format(seconds)
              + " s is not a "
              + "whole number of "
              + (ticksPerSecond == 1 ? "seconds" : "milliseconds"));
    }
    return whole;
  }

  /** A duration in ticks, rounded down to a whole tick. */
  public long ticks(Duration d) {
    return ticksPerSecond == 1 ? d.toSeconds() : d.toMillis();
  }

  /** Ticks in seconds. */
  public double seconds(long ticks) {
    return ticksPerSecond == 1 ? ticks : ticks / (double) ticksPerSecond;
  }

  /** Ticks in milliseconds. */
  public long millis(long ticks) {
    return ticksPerSecond == 1 ? Math.multiplyExact(ticks, 1000L) : ticks;
  }

  /** The instant {@code ticks} after {@code origin}. */
  public Instant at(Instant origin, long ticks) {
    return ticksPerSecond == 1 ? origin.plusSeconds(ticks) : origin.plusMillis(ticks);
  }

  /** Ticks as a duration. */
  public Duration duration(long ticks) {
    return ticksPerSecond == 1 ? Duration.ofSeconds(ticks) : Duration.ofMillis(ticks);
  }

  /** Seconds for people: {@code 2} for a whole second, {@code 0.4} or {@code 1.25} otherwise. */
  public static String format(double seconds) {
    return seconds == Math.rint(seconds) && Math.abs(seconds) < 1e15
        ? Long.toString((long) seconds)
        : BigDecimal.valueOf(seconds).stripTrailingZeros().toPlainString();
  }
}
