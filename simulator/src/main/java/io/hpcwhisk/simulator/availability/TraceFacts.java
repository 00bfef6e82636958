package io.hpcwhisk.simulator.availability;

import io.hpcwhisk.simulator.trace.TraceSummary;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a replay learned about the log itself, independent of any harvesting: the sample times, how
 * many nodes were available at each, and the lengths of every maximal run of available samples.
 *
 * @param summary what the reader read and skipped
 * @param window the sample window used
 * @param samplesOutsideWindow records of the log outside the window (skipped)
 * @param nodes rows of the matrix: node ids {@code 0..max id seen}
 * @param epochSeconds timestamp of each sample in the window
 * @param availableNodes available nodes at each sample
 * @param runLengths length in samples of every maximal run of available samples, in the order they
 *     ended
 */
public record TraceFacts(
    TraceSummary summary,
    SampleWindow window,
    long samplesOutsideWindow,
    int nodes,
    long[] epochSeconds,
    int[] availableNodes,
    int[] runLengths) {

  public TraceFacts {
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(window, "window");
    if (epochSeconds.length != availableNodes.length) {
      throw new IllegalArgumentException(
          "epochSeconds has "
              + epochSeconds.length
              + " entries but availableNodes has "
              + availableNodes.length);
    }
    if (epochSeconds.length == 0) {
      throw new IllegalArgumentException(
          "a replay needs at least one sample, "
              + summary.source()
              + " has none in "
              + window.describe());
    }
    epochSeconds = epochSeconds.clone();
    availableNodes = availableNodes.clone();
    runLengths = runLengths.clone();
  }

  @Override
  public long[] epochSeconds() {
    return epochSeconds.clone();
  }

  @Override
  public int[] availableNodes() {
    return availableNodes.clone();
  }

  @Override
  public int[] runLengths() {
    return runLengths.clone();
  }

  public int samples() {
    return epochSeconds.length;
  }

  public long epochSecond(int index) {
    return epochSeconds[index];
  }

  public int availableAt(int index) {
    return availableNodes[index];
  }

  /** Σ available nodes over samples: the available cells of the node × sample matrix. */
  public long availableNodeSamples() {
    long total = 0;
    for (int count : availableNodes) {
      total += count;
    }
    return total;
  }

  /**
   * Share of the whole node × sample matrix that is available (0 when no node was ever available).
   */
  public double availableShare() {
    return nodes == 0 ? 0 : availableNodeSamples() / ((double) nodes * samples());
  }

  /** Mean seconds between consecutive samples (0 for a single sample). */
  public double meanSamplePeriodSeconds() {
    int n = samples();
    return n < 2 ? 0 : (epochSeconds[n - 1] - epochSeconds[0]) / (double) (n - 1);
  }

  /**
   * How long sample {@code index} stands for: until the next sample, and the mean period for the
   * last one (1 s when there is only one sample).
   */
  public double intervalSeconds(int index) {
    if (index + 1 < samples()) {
      return epochSeconds[index + 1] - epochSeconds[index];
    }
    double mean = meanSamplePeriodSeconds();
    return mean > 0 ? mean : 1;
  }

  /** Seconds covered by the whole replay: Σ of {@link #intervalSeconds} over all samples. */
  public double durationSeconds() {
    return epochSeconds[samples() - 1] - epochSeconds[0] + intervalSeconds(samples() - 1);
  }

  /** Σ available nodes × interval: available node-seconds. */
  public double availableNodeSeconds() {
    double total = 0;
    for (int i = 0; i < samples(); i++) {
      total += availableNodes[i] * intervalSeconds(i);
    }
    return total;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TraceFacts that
        && summary.equals(that.summary)
        && window.equals(that.window)
        && samplesOutsideWindow == that.samplesOutsideWindow
        && nodes == that.nodes
        && Arrays.equals(epochSeconds, that.epochSeconds)
        && Arrays.equals(availableNodes, that.availableNodes)
        && Arrays.equals(runLengths, that.runLengths);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        summary, window, samplesOutsideWindow, nodes, Arrays.hashCode(epochSeconds));
  }

  @Override
  public String toString() {
    return "TraceFacts["
        + summary.source()
        + ", "
        + samples()
        + " samples, "
        + nodes
        + " nodes, "
        + runLengths.length
        + " runs]";
  }
}
