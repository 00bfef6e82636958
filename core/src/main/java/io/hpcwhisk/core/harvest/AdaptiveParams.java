package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.time.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameters of the {@code adaptive} policy.
 *
 * @param minPilot shortest pilot worth starting, also every pilot's {@code --time-min} (default
 *     1m); key {@code min-pilot}
 * @param maxPilot longest pilot (default 2h); key {@code max-pilot}
 * @param windowMargin slack left at the end of a planned window for scheduler latency (default 5s);
 *     key {@code window-margin}
 * @param pool untargeted pilots kept pending beyond one per uncovered idle node (default 2); key
 *     {@code pool}
 * @param poolShare more untargeted pilots kept pending, as a share of the most nodes that became
 *     harvestable between two passes over the last {@code history} passes (default 1.0): they start
 *     at once on the nodes a batch job leaves, before the next pass; key {@code pool-share}
 * @param maxPending hard bound on all pending pilots, targeted ones included (default 256); the
 *     policy itself keeps at most {@code pool} + one per harvestable node without a pilot; key
 *     {@code max-pending}
 * @param poolQuantile quantile of the estimated gap lengths offered as one candidate pool length
 *     (default 0.9); key {@code pool-quantile}
 * @param history how many observed gaps are remembered (default 256); key {@code history}
 * @param poolNice nice of pool pilots, so that targeted ones (nice 0) start first (default 100);
 *     key {@code pool-nice}
 * @param warmup time from a pilot's start until it is ready, lost by every pilot (default 20s); key
 *     {@code warmup}
 * @param preemptionCost node-time charged for every preemption of a pool pilot by a batch job (the
 *     batch job's wait for the pilot to leave, default 30s); key {@code preemption-cost}
 * @param ladderMax longest pilot of the <i>ladder</i>: short untargeted pilots of min-pilot, 2 ×
 *     min-pilot, … up to this length kept pending, so that Slurm's backfill pass starts one in a
 *     new planned window at once, before the controller has seen the window (default 5m; 0 turns
 *     the ladder off); key {@code ladder-max}
 * @param ladderCopies pending pilots of every ladder length (default 2: two nodes freed at once
 *     both get the longest that fits); key {@code ladder-copies}
 */
public record AdaptiveParams(
    Duration minPilot,
    Duration maxPilot,
    Duration windowMargin,
    int pool,
    double poolShare,
    int maxPending,
    double poolQuantile,
    int history,
    int poolNice,
    Duration warmup,
    Duration preemptionCost,
    Duration ladderMax,
    int ladderCopies)
    implements PolicyParams {

  public static final Duration DEFAULT_MIN_PILOT = Duration.ofMinutes(1);
  public static final Duration DEFAULT_MAX_PILOT = Duration.ofHours(2);
  public static final Duration DEFAULT_WINDOW_MARGIN = Duration.ofSeconds(5);
  public static final int DEFAULT_POOL = 2;
  public static final double DEFAULT_POOL_SHARE = 1.0;
  public static final int DEFAULT_MAX_PENDING = 256;
  public static final double DEFAULT_POOL_QUANTILE = 0.9;
  public static final int DEFAULT_HISTORY = 256;
  public static final int DEFAULT_POOL_NICE = 100;
  public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(20);
  public static final Duration DEFAULT_PREEMPTION_COST = Duration.ofSeconds(30);
  public static final Duration DEFAULT_LADDER_MAX = Duration.ofMinutes(5);
  public static final int DEFAULT_LADDER_COPIES = 2;

  public AdaptiveParams {
    if (minPilot.compareTo(Duration.ofMinutes(1)) < 0 || minPilot.toSeconds() % 60 != 0) {
      throw new IllegalArgumentException(
          "adaptive min-pilot must be whole minutes, at least 1m, got "
              + Durations.format(minPilot));
    }
    if (maxPilot.compareTo(minPilot) < 0) {
      throw new IllegalArgumentException(
          "adaptive max-pilot "
              + Durations.format(maxPilot)
              + " is shorter than min-pilot "
              + Durations.format(minPilot));
    }
    if (windowMargin.isNegative()) {
      throw new IllegalArgumentException(
          "adaptive window-margin must not be negative, got " + windowMargin);
    }
    if (pool < 0 || maxPending < 0) {
      throw new IllegalArgumentException(
          "adaptive pool and max-pending must be 0 or more, got " + pool + " and " + maxPending);
    }
    if (!(poolShare >= 0 && poolShare <= 10)) {
      throw new IllegalArgumentException(
          "adaptive pool-share must be in [0, 10], got " + poolShare);
    }
    if (!(poolQuantile >= 0 && poolQuantile <= 1)) {
      throw new IllegalArgumentException(
          "adaptive pool-quantile must be in [0, 1], got " + poolQuantile);
    }
    if (history < 1 || poolNice < 0) {
      throw new IllegalArgumentException(
          "adaptive history must be at least 1 and pool-nice 0 or more, got "
              + history
              + " and "
              + poolNice);
    }
    if (warmup.isNegative() || preemptionCost.isNegative()) {
      throw new IllegalArgumentException(
          "adaptive warmup and preemption-cost must not be negative, got "
              + Durations.format(warmup)
              + " and "
              + Durations.format(preemptionCost));
    }
    if (ladderMax.isNegative()
        || ladderMax.toSeconds() % 60 != 0
        || ladderMax.compareTo(Duration.ofHours(2)) > 0) {
      throw new IllegalArgumentException(
          "adaptive ladder-max must be whole minutes from 0 to 2h, got "
              + Durations.format(ladderMax));
    }
    if (ladderCopies < 0 || ladderCopies > 100) {
      throw new IllegalArgumentException(
          "adaptive ladder-copies must be in [0, 100], got " + ladderCopies);
    }
  }

  /** Parameters without a ladder (ladder-max 0, ladder-copies 0). */
  public AdaptiveParams(
      Duration minPilot,
      Duration maxPilot,
      Duration windowMargin,
      int pool,
      double poolShare,
      int maxPending,
      double poolQuantile,
      int history,
      int poolNice,
      Duration warmup,
      Duration preemptionCost) {
    this(
        minPilot,
        maxPilot,
        windowMargin,
        pool,
        poolShare,
        maxPending,
        poolQuantile,
        history,
        poolNice,
        warmup,
        preemptionCost,
        Duration.ZERO,
        0);
  }

  /**
   * The ladder's lengths, shortest first: min-pilot, 2 × min-pilot, … up to ladder-max (none when
   * off).
   */
  public List<Duration> ladder() {
    List<Duration> lengths = new ArrayList<>();
    if (ladderCopies > 0) {
      for (Duration d = minPilot; d.compareTo(ladderMax) <= 0; d = d.plus(minPilot)) {
        lengths.add(d);
      }
    }
    return List.copyOf(lengths);
  }

  /** The same parameters with another warm-up and preemption cost. */
  public AdaptiveParams withCosts(Duration newWarmup, Duration newPreemptionCost) {
    return new AdaptiveParams(
        minPilot,
        maxPilot,
        windowMargin,
        pool,
        poolShare,
        maxPending,
        poolQuantile,
        history,
        poolNice,
        newWarmup,
        newPreemptionCost,
        ladderMax,
        ladderCopies);
  }

  public static AdaptiveParams defaults() {
    return new AdaptiveParams(
        DEFAULT_MIN_PILOT,
        DEFAULT_MAX_PILOT,
        DEFAULT_WINDOW_MARGIN,
        DEFAULT_POOL,
        DEFAULT_POOL_SHARE,
        DEFAULT_MAX_PENDING,
        DEFAULT_POOL_QUANTILE,
        DEFAULT_HISTORY,
        DEFAULT_POOL_NICE,
        DEFAULT_WARMUP,
        DEFAULT_PREEMPTION_COST,
        DEFAULT_LADDER_MAX,
        DEFAULT_LADDER_COPIES);
  }

  @Override
  public String policyName() {
    return "adaptive";
  }
}
