package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.time.Durations;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Chooses the length of the {@code adaptive} policy's pool pilots (untargeted, for idle nodes with
 * no planned job) by the expected share of node-time they hold ready.
 *
 * <p><b>Algorithm.</b> A pool pilot of length L started on an idle node runs min(G, L), G the
 * node's remaining gap (estimated by the Kaplan-Meier survival S of {@link GapDistribution}); it is
 * ready for (min(G, L) − w)⁺, w the warm-up, and when G &lt; L a batch job preempts it at a cost c.
 * Then
 *
 * <pre>
 *   rate(L) = (∫_w^L S(t) dt − c · P(G &lt; L)) / ∫_0^L S(t) dt      with P(G &lt; L) = 1 − S(L⁻)
 * </pre>
 *
 * is the ready node-time per node-time held, net of preemptions; short pilots lose a warm-up every
 * L, long ones are preempted more often. The candidates are min-pilot · 2ⁱ, max-pilot and the
 * {@code pool-quantile} of the gaps (whole minutes within [min-pilot, max-pilot]); the best rate
 * wins, the longer one on a tie.
 *
 * <p><b>Example.</b> No gap seen yet (S = 1): rate(L) = (L − w)/L grows with L, so max-pilot (2h).
 * Every gap ends after exactly 7 min, w = 20 s, c = 30 s: rate(4m) = 220/240 = 0.92, rate(8m) =
 * (400 − 30)/420 = 0.88, rate(7m) = (400 − 0)/420 = 0.95 (a 7-minute pilot ends just as the batch
 * job comes); the quantile candidate 7m wins.
 *
 * <p><b>Known caveats.</b> A pilot starts at some age of the node's gap, not at its start; with
 * heavy-tailed gaps the remaining gap is longer than a fresh one, so the choice errs to the short
 * side. Preemption cost is a parameter, not learned.
 */
final class PoolLength {

  record Choice(Duration length, String reason) {}

  private PoolLength() {}

  static Choice choose(GapDistribution gaps, AdaptiveParams params) {
    TreeSet<Duration> candidates = new TreeSet<>();
    for (Duration d = params.minPilot();
        d.compareTo(params.maxPilot()) < 0;
        d = d.multipliedBy(2)) {
      candidates.add(d);
    }
    candidates.add(
        Durations.floorToMinutes(params.maxPilot()).compareTo(params.minPilot()) < 0
            ? params.minPilot()
            : Durations.floorToMinutes(params.maxPilot()));
    gaps.quantile(params.poolQuantile())
        .map(Durations::floorToMinutes)
        .filter(q -> q.compareTo(params.minPilot()) >= 0 && q.compareTo(params.maxPilot()) <= 0)
        .ifPresent(candidates::add);
    double w = params.warmup().toMillis() / 1000.0;
    double c = params.preemptionCost().toMillis() / 1000.0;
    Duration best = null;
    double bestRate = Double.NEGATIVE_INFINITY;
    for (Duration candidate : candidates) {
      double rate = rate(gaps, candidate.getSeconds(), w, c);
      if (best == null || rate >= bestRate - 1e-12) {
        best = candidate;
        bestRate = rate;
      }
    }
    String seen =
        gaps.events() + gaps.censored() == 0
            ? "no gap observed yet"
            : gaps.events() + " ended and " + gaps.censored() + " open or censored gaps";
    // concatenation, not String.format: the simulator chooses anew on most controller passes
    return new Choice(
        best,
        "expected ready share "
            + threeDecimals(bestRate)
            + " (warm-up "
            + Durations.format(params.warmup())
            + ", preemption "
            + Durations.format(params.preemptionCost())
            + "; "
            + seen
            + ")");
  }

  /**
   * {@code value} rounded half up to three decimals, always with three ({@code 0.950}), as {@code
   * %.3f} prints it.
   */
  static String threeDecimals(double value) {
    if (!Double.isFinite(value) || Math.abs(value) >= 1e15) {
      return String.format(Locale.ROOT, "%.3f", value);
    }
    // the same decimal digits as the formatter's (Double.toString's), rounded the same way; the
    // sign kept on -0.000
    boolean negative = value < 0 || Double.doubleToRawLongBits(value) == Long.MIN_VALUE;
    return (negative ? "-" : "")
        + BigDecimal.valueOf(Math.abs(value)).setScale(3, RoundingMode.HALF_UP).toPlainString();
  }

  /**
   * Ready node-time per node-time held by a pilot of {@code length} seconds, net of the preemption
   * cost.
   */
  static double rate(GapDistribution gaps, double length, double warmup, double cost) {
    double held = gaps.integral(0, length);
    if (held <= 0) {
      return Double.NEGATIVE_INFINITY;
    }
    double ready = gaps.integral(Math.min(warmup, length), length);
    double preempted = 1 - gaps.survivalBefore(length);
    return (ready - cost * preempted) / held;
  }
}
