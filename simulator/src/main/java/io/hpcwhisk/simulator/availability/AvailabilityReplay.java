package io.hpcwhisk.simulator.availability;

import io.hpcwhisk.simulator.trace.idlelog.IdleLogReader;
import io.hpcwhisk.simulator.trace.idlelog.IdleSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Drives observers through an idle-node log in one streaming pass.
 *
 * <p>Algorithm: for each record inside the window, take the available nodes (idle or holding a
 * pilot), compare with the previous sample to find the runs that just ended (reported to the
 * observers with their first sample) and the ones that just started, then hand the sample to every
 * observer. At the end the runs still open are closed at the number of samples. The driver itself
 * keeps only per-sample counts, so memory grows with samples, not with nodes × samples.
 *
 * <p>Example: a node available in samples 3, 4, 5 and not in 6 gives {@code onRunEnd(node, 3, 6)}
 * just before {@code onSample(6, ...)}.
 *
 * <p>Known caveats: the node count is 0..the highest id seen inside the window, as in the paper;
 * nodes that are never available above that id do not exist for the replay.
 */
public final class AvailabilityReplay {

  private AvailabilityReplay() {}

  /** Replays {@code idleLog} inside {@code window} through {@code observers}. */
  public static TraceFacts run(
      Path idleLog,
      SampleWindow window,
      Progress progress,
      List<? extends AvailabilityObserver> observers) {
    IdleLogReader reader = new IdleLogReader(idleLog);
    long fileSize = plainFileSize(idleLog);
    List<AvailabilityObserver> all = new ArrayList<>(observers);
    RunCollector runs = new RunCollector();
    all.add(runs);

    GrowableLongs times = new GrowableLongs();
    GrowableInts counts = new GrowableInts();
    BitSet previous = new BitSet();
    GrowableInts runStart = new GrowableInts();
    long outside = 0;
    int maxNode = -1;
    int index = 0;
    try (Stream<IdleSample> records = reader.records()) {
      Iterator<IdleSample> it = records.iterator();
      while (it.hasNext()) {
        IdleSample sample = it.next();
        if (!window.contains(sample.epochSecond())) {
          outside++;
          continue;
        }
        BitSet available = sample.available();
        BitSet ended = (BitSet) previous.clone();
        ended.andNot(available);
        for (int node = ended.nextSetBit(0); node >= 0; node = ended.nextSetBit(node + 1)) {
          int start = runStart.get(node);
          for (AvailabilityObserver observer : all) {
            observer.onRunEnd(node, start, index);
          }
        }
        BitSet started = (BitSet) available.clone();
        started.andNot(previous);
        for (int node = started.nextSetBit(0); node >= 0; node = started.nextSetBit(node + 1)) {
          runStart.set(node, index);
        }
        for (AvailabilityObserver observer : all) {
          observer.onSample(index, sample.epochSecond(), available);
        }
        times.append(sample.epochSecond());
        counts.append(available.cardinality());
        maxNode = Math.max(maxNode, available.length() - 1);
        previous = available;
        index++;
        if (fileSize > 0 && (index & 255) == 0) {
          progress.update(Math.min(1.0, reader.charsRead() / (double) fileSize));
        }
      }
    }
    for (int node = previous.nextSetBit(0); node >= 0; node = previous.nextSetBit(node + 1)) {
      for (AvailabilityObserver observer : all) {
        observer.onRunEnd(node, runStart.get(node), index);
      }
    }
    if (index == 0) {
      throw new IllegalArgumentException(
          "no record of "
              + idleLog
              + " falls in the sample window "
              + window.describe()
              + " ("
              + reader.summary().records()
              + " records read)");
    }
    int nodes = maxNode + 1;
    for (AvailabilityObserver observer : all) {
      observer.onFinish(index, nodes);
    }
    progress.update(1.0);
    progress.done();
    return new TraceFacts(
        reader.summary(),
        window,
        outside,
        nodes,
        times.toArray(),
        counts.toArray(index),
        runs.lengths.toArray(runs.lengths.size()));
  }

  private static long plainFileSize(Path file) {
    if (file.getFileName().toString().endsWith(".gz")) {
      return 0;
    }
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stat " + file, e);
    }
  }

  /** Collects run lengths for the report and the gap-length CDF. */
  private static final class RunCollector implements AvailabilityObserver {
    final GrowableInts lengths = new GrowableInts();

    @Override
    public void onSample(int index, long epochSecond, BitSet available) {}

    @Override
    public void onRunEnd(int node, int startIndex, int endIndex) {
      lengths.append(endIndex - startIndex);
    }
  }

  /** A {@code long} list that grows on demand. */
  private static final class GrowableLongs {
    private long[] values = new long[1024];
    private int size;

    void append(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
