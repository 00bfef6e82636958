package io.hpcwhisk.core.harvest;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When Slurm's backfill scheduler runs, as a controller can know it: {@code bf_interval} (from
 * {@code SchedulerParameters}; Slurm's default 30 s) and, when Slurm says so, the start of its last
 * pass ({@code sdiag}'s "Last cycle when", {@code squeue --json}'s {@code last_backfill}).
 *
 * @param interval seconds between backfill passes, positive
 * @param lastPass the start of the last backfill pass, when known
 */
public record BackfillTiming(Duration interval, Optional<Instant> lastPass) {

  /** Slurm's default {@code bf_interval}. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  public BackfillTiming {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(lastPass, "lastPass");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("bf_interval must be positive, got " + interval);
    }
  }

  /** An interval without a known last pass. */
  public static BackfillTiming every(Duration interval) {
    return new BackfillTiming(interval, Optional.empty());
  }

  /**
   * The first backfill pass at or after {@code instant}: on the grid of the last pass when known (a
   * pass at exactly {@code instant} counts: it sees what happened then), else {@code instant} + one
   * interval (the latest it can be).
   */
  public Instant firstPassFrom(Instant instant) {
    if (lastPass.isEmpty()) {
      return instant.plus(interval);
    }
    Instant last = lastPass.get();
    if (!last.isBefore(instant)) {
      return last;
    }
    long step = interval.toNanos();
    long behind = Duration.between(last, instant).toNanos();
    long passes = (behind + step - 1) / step;
    return last.plusNanos(passes * step);
  }
}
