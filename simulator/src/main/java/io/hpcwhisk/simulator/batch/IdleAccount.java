package io.hpcwhisk.simulator.batch;

import java.util.Arrays;

/**
 * Integrates idle node-time over the run by what held the node: nothing (unused), a pilot warming up, a ready pilot,
 * or a preempted pilot leaving (hand-over to a batch job, at most the grace time). Also samples the four counts
 * every {@code sampleInterval} seconds for the timeline plot.
 */
public final class IdleAccount {

  private final long sampleInterval;
  int warming;
  int ready;
  int handover;
  private long first;
  private long last;
  private double unusedSeconds;
  private double warmingSeconds;
  private double readySeconds;
  private double handoverSeconds;
  private long nextSample;
  private int samples;
  private int[][] series = new int[4][256];

  IdleAccount(long sampleInterval) {
    this.sampleInterval = sampleInterval;
  }

  void start(long t) {
    first = t;
    last = t;
    nextSample = t;
  }

  void advance(long from, long to, BatchSimulation sim) {
    long dt = to - from;
    int free = sim.freeNodes.size();
    unusedSeconds += (double) free * dt;
    warmingSeconds += (double) warming * dt;
    readySeconds += (double) ready * dt;
    handoverSeconds += (double) handover * dt;
    while (nextSample < to) {
      if (samples == series[0].length) {
        for (int i = 0; i < 4; i++) {
          series[i] = Arrays.copyOf(series[i], samples * 2);
        }
      }
      series[0][samples] = sim.n - free - warming - ready - handover;
      series[1][samples] = free;
      series[2][samples] = warming;
      series[3][samples] = ready;
      samples++;
      nextSample += sampleInterval;
    }
    last = to;
  }

  void finish(long t, BatchSimulation sim) {
    if (t > last) {
      advance(last, t, sim);
    }
  }

  public Figures figures(int nodes) {
    double idle = unusedSeconds + warmingSeconds + readySeconds + handoverSeconds;
    double total = (double) nodes * (last - first);
    return new Figures(last - first, total, idle, share(readySeconds, idle), share(warmingSeconds, idle),
        share(unusedSeconds, idle), share(handoverSeconds, idle), share(idle, total));
  }

  /** The sampled counts: rows busy, unused, warming, ready; one column per sample. */
  public int[][] timeline() {
    int[][] out = new int[4][];
    for (int i = 0; i < 4; i++) {
      out[i] = Arrays.copyOf(series[i], samples);
    }
    return out;
  }

  long firstSecond() {
    return first;
  }

  public long sampleInterval() {
    return sampleInterval;
  }

  private static double share(double part, double whole) {
    return whole == 0 ? 0 : part / whole;
  }

  /**
   * @param spanSeconds from the first submit to the last job's end
   * @param nodeSeconds nodes × span
   * @param idleNodeSeconds node-time without a batch job
   * @param readyShare share of idle node-time held by a ready pilot
   * @param warmupShare share held by a pilot warming up
   * @param unusedShare share with no pilot at all
   * @param handoverShare share in which a preempted pilot was leaving (the batch job waits)
   * @param idleShare idle node-time / node-time
   */
  public record Figures(long spanSeconds, double nodeSeconds, double idleNodeSeconds, double readyShare,
      double warmupShare, double unusedShare, double handoverShare, double idleShare) {}
}
