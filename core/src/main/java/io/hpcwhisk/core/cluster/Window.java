package io.hpcwhisk.core.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A backfill window on one node: from {@code start} (the snapshot's now) until the expected start
 * of the next job planned on the node, or unbounded when nothing is planned there.
 *
 * @param start when the window opens (the snapshot time)
 * @param end the expected start of the next planned job, or empty when unbounded
 */
public record Window(Instant start, Optional<Instant> end) {

  public Window {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isPresent() && end.get().isBefore(start)) {
      throw new IllegalArgumentException(
          "window end " + end.get() + " is before its start " + start);
    }
  }

  /** A window with no planned job after it. */
  public static Window unbounded(Instant start) {
    return new Window(start, Optional.empty());
  }

  /**
   * A window that closes when a planned job is expected to start; an end in the past gives an empty
   * window.
   */
  public static Window until(Instant start, Instant end) {
    return new Window(start, Optional.of(end.isBefore(start) ? start : end));
  }

  public boolean bounded() {
    return end.isPresent();
  }

  /** The window's length, or empty when unbounded. */
  public Optional<Duration> length() {
    return end.map(e -> Duration.between(start, e));
  }

  /** True when a job of the given length started at {@code start} would end inside the window. */
  public boolean fits(Duration duration) {
    return end.isEmpty() || duration.compareTo(Duration.between(start, end.get())) <= 0;
  }

  @Override
  public String toString() {
    return end.map(e -> "window of " + Duration.between(start, e).toSeconds() + "s")
        .orElse("unbounded window");
  }
}
