package io.hpcwhisk.simulator.report;

/**
 * Per-sample counts of harvested nodes: how many were warming up and how many held a ready pilot at
 * each sample. The available count per sample lives in {@link
 * io.hpcwhisk.simulator.availability.TraceFacts}.
 *
 * @param warming nodes whose pilot was warming up at each sample
 * @param ready nodes whose pilot was ready at each sample
 */
public record Timeline(int[] warming, int[] ready) {

  public Timeline {
    if (warming.length != ready.length) {
      throw new IllegalArgumentException(
          "warming has " + warming.length + " samples but ready has " + ready.length);
    }
    warming = warming.clone();
    ready = ready.clone();
  }

  @Override
  public int[] warming() {
    return warming.clone();
  }

  @Override
  public int[] ready() {
    return ready.clone();
  }

  public int samples() {
    return ready.length;
  }

  public int warmingAt(int index) {
    return warming[index];
  }

  public int readyAt(int index) {
    return ready[index];
  }

  /** Samples at which no node at all held a ready pilot. */
  public int noReadySamples() {
    int count = 0;
    for (int value : ready) {
      if (value == 0) {
        count++;
      }
    }
    return count;
  }

  /** The longest stretch of consecutive samples without any ready pilot, in samples. */
  public int longestNoReadyStretch() {
    int longest = 0;
    int current = 0;
    for (int value : ready) {
      current = value == 0 ? current + 1 : 0;
      longest = Math.max(longest, current);
    }
    return longest;
  }
}
