package io.hpcwhisk.simulator.ladder;

import io.hpcwhisk.simulator.availability.AvailabilityObserver;
import io.hpcwhisk.simulator.availability.AvailabilityReplay;
import io.hpcwhisk.simulator.availability.GrowableInts;
import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.availability.TraceFacts;
import io.hpcwhisk.simulator.report.CoverageFigures;
import io.hpcwhisk.simulator.report.Timeline;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The HPC-Whisk paper's clairvoyant simulation: packs pilots from a ladder greedily into every
 * maximal run of available samples.
 *
 * <p>Algorithm: when a node's run of {@code r} available samples ends, start at its first sample
 * and, while the remainder is at least the shortest ladder length, place the longest ladder length
 * {@code L} (minutes × {@code samplesPerMinute}) that fits the remainder; its first {@code
 * warmupSamples} samples are warm-up, the rest ready. What is left (shorter than the shortest
 * length) is unused. The ceiling counts {@code max(0, r − warmup)} per run: one warm-up per run, no
 * loss to ladder granularity. Per-sample warming and ready counts are kept as difference arrays, so
 * the replay is one streaming pass over the log with O(samples) memory.
 *
 * <p>Example: ladder A1 at 6 samples/min has lengths 12, 24, 36, 48, 84, 132, 204, 336, 540
 * samples. A run of 100 samples gets an 84 (82 ready), the remainder 16 gets a 12 (10 ready), 4
 * samples stay unused: 92 ready, 4 warm-up, 4 unused; ceiling 98.
 *
 * <p>Known caveats: clairvoyant — it knows every run's length in advance, and pilots never outlive
 * the run, so it never preempts. Minutes × 6 treats a sample as 10 s while the log's mean spacing
 * is ~10.7 s. Runs are cut by the window edges like the paper's matrix.
 */
public final class ClairvoyantLadderReplay implements AvailabilityObserver {

  private final Ladder ladder;
  private final int[] lengths;
  private final int warmupSamples;
  private final int samplesPerMinute;
  private final GrowableInts warmingDelta = new GrowableInts();
  private final GrowableInts readyDelta = new GrowableInts();
  private final long[] pilotsPerLength;
  private long availableSamples;
  private long readySamples;
  private long warmupSamplesTotal;
  private long unusedSamples;
  private long ceilingSamples;
  private long pilots;
  private int samples = -1;

  public ClairvoyantLadderReplay(Ladder ladder, int warmupSamples, int samplesPerMinute) {
    if (warmupSamples < 0) {
      throw new IllegalArgumentException("warm-up samples must be >= 0, got " + warmupSamples);
    }
    this.ladder = ladder;
    this.lengths = ladder.lengthsInSamples(samplesPerMinute);
    this.warmupSamples = warmupSamples;
    this.samplesPerMinute = samplesPerMinute;
    this.pilotsPerLength = new long[lengths.length];
  }

  /**
   * Reads {@code idleLog} and packs {@code ladder} into it; the paper's settings are 2 warm-up
   * samples, 6/min.
   */
  public static ClairvoyantResult run(
      Path idleLog,
      SampleWindow window,
      Ladder ladder,
      int warmupSamples,
      int samplesPerMinute,
      Progress progress) {
    ClairvoyantLadderReplay replay =
        new ClairvoyantLadderReplay(ladder, warmupSamples, samplesPerMinute);
    TraceFacts facts = AvailabilityReplay.run(idleLog, window, progress, List.of(replay));
    return replay.result(facts);
  }

  @Override
  public void onSample(int index, long epochSecond, BitSet available) {}

  @Override
  public void onRunEnd(int node, int startIndex, int endIndex) {
    int run = endIndex - startIndex;
    availableSamples += run;
    ceilingSamples += Math.max(0, run - warmupSamples);
    int position = startIndex;
    int remainder = run;
    int choice = lengths.length - 1;
    while (remainder >= lengths[0]) {
      while (lengths[choice] > remainder) {
        choice--;
      }
      int length = lengths[choice];
      int warm = Math.min(warmupSamples, length);
      pilots++;
      pilotsPerLength[choice]++;
      warmupSamplesTotal += warm;
      readySamples += length - warm;
      warmingDelta.add(position, 1);
      warmingDelta.add(position + warm, -1);
      readyDelta.add(position + warm, 1);
      readyDelta.add(position + length, -1);
      position += length;
      remainder -= length;
    }
    unusedSamples += remainder;
  }

  @Override
  public void onFinish(int samples, int nodes) {
    this.samples = samples;
  }

  /** The figures, once the replay that fed this observer has finished. */
  public ClairvoyantResult result(TraceFacts facts) {
    if (samples != facts.samples()) {
      throw new IllegalStateException(
          "the replay has not finished: saw " + samples + " of " + facts.samples() + " samples");
    }
    int[] warming = prefixSums(warmingDelta, samples);
    int[] ready = prefixSums(readyDelta, samples);
    Timeline timeline = new Timeline(warming, ready);
    double available = availableSamples;
    int noReady = timeline.noReadySamples();
    CoverageFigures figures =
        new CoverageFigures(
            "samples",
            CoverageFigures.share(readySamples, available),
            CoverageFigures.share(warmupSamplesTotal, available),
            CoverageFigures.share(unusedSamples, available),
            pilots,
            noReady,
            noReady / (double) samples,
            timeline.longestNoReadyStretch(),
            readySamples / (double) samples,
            CoverageFigures.share(ceilingSamples, available));
    SortedMap<Integer, Long> byLength = new TreeMap<>();
    for (int i = 0; i < lengths.length; i++) {
      byLength.put(ladder.minutes().get(i), pilotsPerLength[i]);
    }
    return new ClairvoyantResult(
        facts, ladder, warmupSamples, samplesPerMinute, figures, byLength, timeline);
  }

  private static int[] prefixSums(GrowableInts deltas, int samples) {
    int[] values = new int[samples];
    int running = 0;
    for (int i = 0; i < samples; i++) {
      running += deltas.get(i);
      values[i] = running;
    }
    return values;
  }
}
