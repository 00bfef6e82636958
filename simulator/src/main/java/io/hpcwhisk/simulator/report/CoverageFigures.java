package io.hpcwhisk.simulator.report;

/**
 * The figures every replay reports. Shares are fractions of available node-time; they are counted
 * in samples by the clairvoyant replay (as the paper does) and in seconds by the online replay
 * ({@code unit}).
 *
 * @param unit {@code samples} or {@code seconds}: what the shares weigh
 * @param readyShare share of available node-time covered by a ready pilot
 * @param warmupShare share of available node-time spent warming pilots up
 * @param unusedShare share of available node-time with no pilot (1 − ready − warm-up)
 * @param pilots pilots started
 * @param noReadySamples samples at which no node held a ready pilot
 * @param noReadySampleShare {@code noReadySamples} / samples
 * @param longestNoReadyStretchSamples the longest run of consecutive samples without a ready pilot
 * @param meanReadyNodes mean number of nodes holding a ready pilot (over samples, or time-weighted)
 * @param ceilingReadyShare the best ready share any packing could reach: every run covered, one
 *     warm-up each
 */
public record CoverageFigures(
    String unit,
    double readyShare,
    double warmupShare,
    double unusedShare,
    long pilots,
    int noReadySamples,
    double noReadySampleShare,
    int longestNoReadyStretchSamples,
    double meanReadyNodes,
    double ceilingReadyShare) {

  public CoverageFigures {
    if (!unit.equals("samples") && !unit.equals("seconds")) {
      throw new IllegalArgumentException("unit must be 'samples' or 'seconds', got '" + unit + "'");
    }
    if (pilots < 0) {
      throw new IllegalArgumentException("pilots must be >= 0, got " + pilots);
    }
  }

  /** {@code part / whole}, and 0 when there is nothing to share (no available node-time at all). */
  public static double share(double part, double whole) {
    return whole == 0 ? 0 : part / whole;
  }
}
