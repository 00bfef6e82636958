package io.hpcwhisk.simulator.ladder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.testing.SyntheticIdleLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The streaming replay against a naive reference that holds the whole node × sample matrix and
 * packs each run the way the paper describes it, on random logs and ladders.
 */
class ClairvoyantReferenceProperties {

  /** A random availability matrix: {@code rows[node][sample]}. */
  record Matrix(boolean[][] rows) {}

  @Provide
  Arbitrary<Matrix> matrices() {
    Arbitrary<Integer> nodes = Arbitraries.integers().between(1, 5);
    Arbitrary<Integer> samples = Arbitraries.integers().between(1, 160);
    return Combinators.combine(nodes, samples, Arbitraries.randoms())
        .as(
            (n, t, random) -> {
              boolean[][] rows = new boolean[n][t];
              for (boolean[] row : rows) {
                double stay = 0.80 + 0.19 * random.nextDouble();
                boolean on = random.nextBoolean();
                for (int i = 0; i < t; i++) {
                  if (random.nextDouble() > stay) {
                    on = !on;
                  }
                  row[i] = on;
                }
              }
              return new Matrix(rows);
            });
  }

  @Provide
  Arbitrary<List<Integer>> ladders() {
    return Arbitraries.integers()
        .between(1, 12)
        .set()
        .ofMinSize(1)
        .ofMaxSize(5)
        .map(set -> new ArrayList<>(new TreeSet<>(set)));
  }

  @Property(tries = 150)
  void streamingReplayMatchesTheMatrixReference(
      @ForAll("matrices") Matrix matrix,
      @ForAll("ladders") List<Integer> minutes,
      @ForAll("warmups") int warmup) {
    Ladder ladder = new Ladder("custom", minutes);
    int perMinute = 2; // short lengths so that small matrices exercise the packing
    ClairvoyantResult result =
        ClairvoyantLadderReplay.run(
            write(matrix), SampleWindow.all(), ladder, warmup, perMinute, Progress.NONE);
    Reference expected = Reference.of(matrix.rows(), ladder.lengthsInSamples(perMinute), warmup);

    if (expected.available == 0) {
      return; // the log has no available node: nothing to compare but the counts below
    }
    assertThat(result.figures().pilots()).isEqualTo(expected.pilots);
    assertThat(result.figures().readyShare())
        .isCloseTo(expected.ready / (double) expected.available, within(1e-12));
    assertThat(result.figures().warmupShare())
        .isCloseTo(expected.warm / (double) expected.available, within(1e-12));
    assertThat(result.figures().ceilingReadyShare())
        .isCloseTo(expected.ceiling / (double) expected.available, within(1e-12));
    assertThat(result.timeline().ready()).containsExactly(expected.readyPerSample);
    assertThat(result.timeline().warming()).containsExactly(expected.warmingPerSample);
  }

  @Provide
  Arbitrary<Integer> warmups() {
    return Arbitraries.integers().between(0, 4);
  }

  private static Path write(Matrix matrix) {
    try {
      Path file = Files.createTempFile("idle-log", ".txt");
      file.toFile().deleteOnExit();
      int samples = matrix.rows()[0].length;
      SyntheticIdleLog log = new SyntheticIdleLog(samples);
      for (int node = 0; node < matrix.rows().length; node++) {
        boolean[] row = matrix.rows()[node];
        for (int i = 0; i < samples; i++) {
          if (row[i]) {
            log.available(node, i, i + 1);
          }
        }
      }
      return log.write(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The paper's definition, computed the slow way over the whole matrix. */
  private static final class Reference {
    long available;
    long pilots;
    long ready;
    long warm;
    long ceiling;
    int[] readyPerSample;
    int[] warmingPerSample;

    static Reference of(boolean[][] rows, int[] lengths, int warmup) {
      Reference r = new Reference();
      int samples = rows[0].length;
      r.readyPerSample = new int[samples];
      r.warmingPerSample = new int[samples];
      for (boolean[] row : rows) {
        int t = 0;
        while (t < samples) {
          if (!row[t]) {
            t++;
            continue;
          }
          int start = t;
          while (t < samples && row[t]) {
            t++;
          }
          int run = t - start;
          r.available += run;
          r.ceiling += Math.max(0, run - warmup);
          int position = start;
          int rest = run;
          while (rest >= lengths[0]) {
            int length = 0;
            for (int candidate : lengths) {
              if (candidate <= rest) {
                length = candidate;
              }
            }
            int w = Math.min(warmup, length);
            r.pilots++;
            r.warm += w;
            r.ready += length - w;
            for (int i = position; i < position + length; i++) {
              if (i < position + w) {
                r.warmingPerSample[i]++;
              } else {
                r.readyPerSample[i]++;
              }
            }
            position += length;
            rest -= length;
          }
        }
      }
      return r;
    }
  }
}
