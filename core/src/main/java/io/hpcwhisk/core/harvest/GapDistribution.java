package io.hpcwhisk.core.harvest;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * A Kaplan-Meier survival function of gap lengths: S(t), the share of gaps longer than t seconds, a
 * step function that is 1 before the first observed length and flat after the last.
 *
 * <p>Built by {@link GapLengthEstimator#distribution()}; immutable.
 */
public final class GapDistribution {

  private static final double EPS = 1e-9;
  private final long[] times;

  /** survival[i] = S on [times[i], times[i+1]). */
  private final double[] survival;

  private final int events;
  private final int censored;

  private GapDistribution(long[] times, double[] survival, int events, int censored) {
    this.times = times;
    this.survival = survival;
    this.events = events;
    this.censored = censored;
  }

  /** From k distinct ascending times with the events and censorings at each. */
  static GapDistribution kaplanMeier(long[] times, int[] died, int[] censored, int k) {
    int atRisk = 0;
    int events = 0;
    int cens = 0;
    for (int i = 0; i < k; i++) {
      atRisk += died[i] + censored[i];
      events += died[i];
      cens += censored[i];
    }
    double[] s = new double[k];
    double current = 1;
    for (int i = 0; i < k; i++) {
      if (atRisk > 0 && died[i] > 0) {
        current *= 1 - (double) died[i] / atRisk;
      }
      s[i] = current;
      atRisk -= died[i] + censored[i];
    }
    return new GapDistribution(Arrays.copyOf(times, k), s, events, cens);
  }

  /** Gaps that a batch job ended. */
  public int events() {
    return events;
  }

  /** Gaps known only to be at least as long as observed (still open, or ended otherwise). */
  public int censored() {
    return censored;
  }

  /** S(t): the estimated share of gaps longer than {@code seconds}. */
  public double survival(double seconds) {
    int i = index(seconds);
    return i < 0 ? 1 : survival[i];
  }

  /** S just before {@code seconds}: the share of gaps at least that long. */
  public double survivalBefore(double seconds) {
    return survival(Math.nextDown(seconds));
  }

  /** ∫ S(t) dt over [from, to] seconds: the expected part of a gap that falls into [from, to]. */
  public double integral(double from, double to) {
    if (to <= from) {
      return 0;
    }
    double sum = 0;
    double at = from;
    int i = index(from);
    while (at < to) {
      double s = i < 0 ? 1 : survival[i];
      double next = i + 1 < times.length ? Math.min(to, times[i + 1]) : to;
      sum += s * (next - at);
      at = next;
      i++;
    }
    return sum;
  }

  /**
   * The shortest observed length t with S(t) ≤ 1 − q; empty when no gap ended, or when the gaps
   * that did end are too few to reach it (too many are still open).
   */
  public Optional<Duration> quantile(double q) {
    for (int i = 0; i < times.length; i++) {
      if (survival[i] <= 1 - q + EPS
          && (i == 0 ? survival[i] < 1 : survival[i] < survival[i - 1])) {
        return Optional.of(Duration.ofSeconds(times[i]));
      }
    }
    return Optional.empty();
  }

  /** The index of the last time ≤ seconds, or −1. */
  private int index(double seconds) {
    int lo = 0;
    int hi = times.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] <= seconds) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
