package io.hpcwhisk.simulator.report;

import io.hpcwhisk.simulator.availability.TraceFacts;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Writes the CSV time series: {@code timeline.csv} (one row per sample: index, unix time,
 * available, warming, ready and unused nodes) and {@code gap-lengths.csv} (every maximal run of
 * available samples: length in samples, then minutes at the log's mean spacing, sorted ascending).
 */
public final class TimelineCsv {

  private TimelineCsv() {}

  public static void writeTimeline(ReplayResult result, Path file) {
    TraceFacts facts = result.facts();
    Timeline timeline = result.timeline();
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("sample,epochSecond,available,warming,ready,unused\n");
      for (int i = 0; i < facts.samples(); i++) {
        int available = facts.availableAt(i);
        int warming = timeline.warmingAt(i);
        int ready = timeline.readyAt(i);
        out.write(
            i
                + ","
                + facts.epochSecond(i)
                + ","
                + available
                + ","
                + warming
                + ","
                + ready
                + ","
                + (available - warming - ready)
                + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  public static void writeGapLengths(TraceFacts facts, Path file) {
    int[] lengths = facts.runLengths();
    Arrays.sort(lengths);
    double minutesPerSample = facts.meanSamplePeriodSeconds() / 60;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("samples,minutes\n");
      for (int length : lengths) {
        out.write(
            length + "," + String.format(Locale.ROOT, "%.3f", length * minutesPerSample) + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
