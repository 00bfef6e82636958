package io.hpcwhisk.core.harvest;

import java.time.Duration;
import java.util.Objects;

/**
 * When the controller's next pass starts: the fast interval while anything changes, a bounded
 * back-off while nothing does.
 *
 * <p><b>Algorithm.</b> After a pass that saw a change (Slurm's nodes or jobs differ from the last
 * pass, Slurm answers again after an outage, a pilot was submitted or cancelled or could not be) or
 * after a pilot event from outside (a pilot registered or left), the next delay is the fast {@code
 * interval}. After a pass that saw nothing change, or could not read Slurm at all (a slow or down
 * slurmctld is not asked more often), the delay doubles, up to {@code idleInterval}. A pass that
 * took longer than the delay does not queue the passes it overlapped: they are skipped (and counted
 * by the caller, see {@link #skipped}), and the next pass starts right after.
 *
 * <p><b>Example.</b> interval 5 s, idle interval 30 s: quiet passes wait 10, 20, 30, 30 s; a change
 * seen in the next pass brings the delay back to 5 s at once.
 *
 * <p><b>Known caveats.</b> A backed-off controller sees a new gap up to {@code idleInterval} late
 * (a pilot event or a change seen by any pass resets it); the policy still runs each pass with the
 * current time, so windows that close with time are seen at the next pass.
 *
 * @param interval the fast interval
 * @param idleInterval the longest delay between two passes while nothing changes (at least {@code
 *     interval}; equal turns the back-off off)
 */
public record PassPacing(Duration interval, Duration idleInterval) {

  public PassPacing {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(idleInterval, "idleInterval");
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("the pass interval must be positive, got " + interval);
    }
    if (idleInterval.compareTo(interval) < 0) {
      throw new IllegalArgumentException(
          "the idle interval ("
              + idleInterval
              + ") must be at least the pass interval ("
              + interval
              + ")");
    }
  }

  /**
   * The delay before the next pass.
   *
   * @param previous the delay used before the pass that just ran
   * @param changed whether that pass saw a change, acted, failed, or a pilot event came in
   */
  public Duration next(Duration previous, boolean changed) {
    if (changed || previous.compareTo(interval) < 0) {
      return interval;
    }
    Duration doubled = previous.multipliedBy(2);
    return doubled.compareTo(idleInterval) > 0 ? idleInterval : doubled;
  }

  /**
   * How many scheduled passes a pass that took {@code took} overran, given it was meant to be
   * followed after {@code delay}: the passes that would have piled up and are skipped instead.
   */
  public static long skipped(Duration took, Duration delay) {
    if (delay.isZero() || delay.isNegative() || took.compareTo(delay) <= 0) {
      return 0;
    }
    return took.toNanos() / delay.toNanos();
  }
}
