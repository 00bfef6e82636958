package io.hpcwhisk.simulator.batch;

import java.util.Arrays;

/**
 * Integrates idle node-time over the run by what held the node: nothing (unused), a pilot warming
 * up, a ready pilot, or a preempted pilot leaving (hand-over to a batch job, at most the grace
 * time). Also samples the four counts every {@code sampleInterval} ticks for the timeline plot.
 * Times come in ticks; the figures are in seconds.
 */
public final class IdleAccount {

  private final long sampleInterval;
  private final TimeBase time;
  int warming;
  int ready;
  int handover;
  private long first;
  private long last;
  private double unusedTicks;
  private double warmingTicks;
  private double readyTicks;
  private double handoverTicks;
  private long nextSample;
  private int samples;
  private int[][] series = new int[4][256];

  IdleAccount(long sampleInterval, TimeBase time) {
    this.sampleInterval = sampleInterval;
    this.time = time;
  }

  void start(long t) {
    first = t;
    last = t;
    nextSample = t;
  }

  void advance(long from, long to, BatchSimulation sim) {
    long dt = to - from;
    int free = sim.freeNodes.size();
    unusedTicks += (double) free * dt;
    warmingTicks += (double) warming * dt;
    readyTicks += (double) ready * dt;
    handoverTicks += (double) handover * dt;
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
    double idle = unusedTicks + warmingTicks + readyTicks + handoverTicks;
    double total = (double) nodes * (last - first);
    double perSecond = time.ticksPerSecond();
    return new Figures(
        time.seconds(last - first),
        total / perSecond,
        idle / perSecond,
        share(readyTicks, idle),
        share(warmingTicks, idle),
        share(unusedTicks, idle),
        share(handoverTicks, idle),
        share(idle, total));
  }

  /** The sampled counts: rows busy, unused, warming, ready; one column per sample. */
  public int[][] timeline() {
    int[][] out = new int[4][];
    for (int i = 0; i < 4; i++) {
      out[i] = Arrays.copyOf(series[i], samples);
    }
    return out;
  }

  /** The tick of the first submit. */
  long firstTick() {
    return first;
  }

  /** Seconds between timeline samples. */
  public double sampleSeconds() {
    return time.seconds(sampleInterval);
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
  public record Figures(
      double spanSeconds,
      double nodeSeconds,
      double idleNodeSeconds,
      double readyShare,
      double warmupShare,
      double unusedShare,
      double handoverShare,
      double idleShare) {}
}
