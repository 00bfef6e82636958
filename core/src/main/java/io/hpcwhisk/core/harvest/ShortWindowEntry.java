package io.hpcwhisk.core.harvest;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether a pilot may enter an idle window shorter than its shortest time limit (issue 28 item 4):
 * Slurm limits are whole minutes, so without this a 5–59 s gap before a reservation stays idle. The
 * pilot then does not end before the window's end; the batch job whose planned start ends the
 * window preempts it and waits the pilot's hand-over. That is cheap when the hand-over is short.
 *
 * <p><b>Algorithm.</b> A window at least as long as the pilot's shortest limit: enter (it fits, no
 * preemption planned). Otherwise enter only when (1) the window is at least {@code minWindow} (a
 * shorter one is eaten by the start latency and warm-up), (2) the measured hand-over of an idle
 * pilot is at most {@code maxHandOver} and below the grace time (so the batch job's wait stays
 * within what the promise allows, with room), and (3) the hand-over is at most {@code maxCostShare}
 * of the window (the batch job's wait is small against the node-time harvested). The pilot keeps
 * its limit; the preemption at the window's end is planned, with its cost (the hand-over) in the
 * reason.
 *
 * <p><b>Example.</b> A 20 s window, shortest limit 1 min, measured hand-over 0.5 s, grace 30 s,
 * defaults (5 s, 1 s, 10 %): enter; the batch job planned at the window's end waits about 0.5 s. A
 * 3 s window: skip (below 5 s). A hand-over of 2 s: skip (above 1 s).
 *
 * <p><b>Known caveats.</b> The hand-over is the idle pilot's; a pilot with activations in flight
 * drains longer (up to the grace time). Every entered window adds one preemption, and so one chance
 * of a knock-on delay; docs/simulator-guide.md measures it with the knock-on goal.
 *
 * @see FreedNodeHold
 */
public final class ShortWindowEntry {

  private ShortWindowEntry() {}

  /**
   * The rule's settings.
   *
   * @param minWindow the shortest window worth entering
   * @param maxHandOver the longest measured hand-over that counts as cheap
   * @param maxCostShare the largest hand-over as a share of the window, in (0, 1]
   */
  public record Settings(Duration minWindow, Duration maxHandOver, double maxCostShare) {
    /** 5 s, 1 s, 10 %. */
    public static final Settings DEFAULTS =
        new Settings(Duration.ofSeconds(5), Duration.ofSeconds(1), 0.1);

    public Settings {
      Objects.requireNonNull(minWindow, "minWindow");
      Objects.requireNonNull(maxHandOver, "maxHandOver");
      if (minWindow.isNegative() || minWindow.isZero()) {
        throw new IllegalArgumentException(
            "short-window minimum must be positive, got " + minWindow);
      }
      if (maxHandOver.isNegative()) {
        throw new IllegalArgumentException(
            "short-window hand-over must be >= 0, got " + maxHandOver);
      }
      if (!(maxCostShare > 0 && maxCostShare <= 1)) {
        throw new IllegalArgumentException(
            "short-window cost share must be in (0, 1], got " + maxCostShare);
      }
    }
  }

  /** Enter or not, with the reason. */
  public record Verdict(boolean enter, boolean preemptionPlanned, String reason) {
    public Verdict {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The verdict on a window of {@code window} before a batch job's planned start.
   *
   * @param shortest the pilot's shortest time limit ({@link PilotShape#shortest()})
   * @param handOver the measured hand-over of an idle pilot
   * @param grace the grace time of a preemption
   */
  public static Verdict decide(
      Duration window, Duration shortest, Duration handOver, Duration grace, Settings settings) {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(shortest, "shortest");
    Objects.requireNonNull(handOver, "handOver");
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(settings, "settings");
    if (shortest.compareTo(window) <= 0) {
      return new Verdict(true, false, "fits: limit " + ms(shortest) + " within " + ms(window));
    }
    if (window.compareTo(settings.minWindow()) < 0) {
      return new Verdict(
          false,
          false,
          "window " + ms(window) + " shorter than the minimum " + ms(settings.minWindow()));
    }
    if (handOver.compareTo(settings.maxHandOver()) > 0 || handOver.compareTo(grace) >= 0) {
      return new Verdict(
          false,
          false,
          "measured hand-over "
              + ms(handOver)
              + " not cheap (at most "
              + ms(settings.maxHandOver())
              + " and below the grace time "
              + ms(grace)
              + ")");
    }
    if (handOver.toNanos() > settings.maxCostShare() * window.toNanos()) {
      return new Verdict(
          false,
          false,
          "measured hand-over "
              + ms(handOver)
              + " above "
              + Math.round(settings.maxCostShare() * 100)
              + " % of the "
              + ms(window)
              + " window");
    }
    return new Verdict(
        true,
        true,
        "window "
            + ms(window)
            + " shorter than the limit "
            + ms(shortest)
            + ": enters, preempted at the window's end; the batch job waits the measured"
            + " hand-over "
            + ms(handOver)
            + " (grace "
            + ms(grace)
            + ")");
  }

  private static String ms(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }
}
