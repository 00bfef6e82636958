package io.hpcwhisk.simulator.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hpcwhisk.simulator.availability.TraceFacts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds and writes {@code report.json}: the shared figures at the top level (field names as in
 * {@link CoverageFigures} and {@link TraceFacts}), then the mode's own figures, then {@code
 * settings}, {@code input}, {@code notes} and {@code outputs}. The fields are documented in {@code
 * docs/simulator-guide.md}.
 */
public final class ReportJson {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  /** The report as an ordered map, ready for Jackson. */
  public static Map<String, Object> toMap(ReplayResult result, List<String> outputs) {
    TraceFacts facts = result.facts();
    CoverageFigures figures = result.figures();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("mode", result.mode());
    report.put("title", result.title());
    report.put("samples", facts.samples());
    report.put("nodes", facts.nodes());
    report.put("firstEpochSecond", facts.epochSecond(0));
    report.put("lastEpochSecond", facts.epochSecond(facts.samples() - 1));
    report.put("meanSamplePeriodSeconds", facts.meanSamplePeriodSeconds());
    report.put("availableNodeSamples", facts.availableNodeSamples());
    report.put("availableShare", facts.availableShare());
    report.put("meanAvailableNodes", facts.availableNodeSamples() / (double) facts.samples());
    report.put("availableRuns", facts.runLengths().length);
    report.put("shareUnit", figures.unit());
    report.put("readyShare", figures.readyShare());
    report.put("warmupShare", figures.warmupShare());
    report.put("unusedShare", figures.unusedShare());
    report.put("pilots", figures.pilots());
    report.put("noReadySamples", figures.noReadySamples());
    report.put("noReadySampleShare", figures.noReadySampleShare());
    report.put("longestNoReadyStretchSamples", figures.longestNoReadyStretchSamples());
    report.put("meanReadyNodes", figures.meanReadyNodes());
    report.put("ceilingReadyShare", figures.ceilingReadyShare());
    report.putAll(result.extraFigures());
    report.put("settings", result.settings());
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("file", facts.summary().source());
    Map<String, Object> window = new LinkedHashMap<>();
    long start = facts.window().startInclusive();
    long end = facts.window().endExclusive();
    window.put("startInclusive", start == Long.MIN_VALUE ? null : start);
    window.put("endExclusive", end == Long.MAX_VALUE ? null : end);
    input.put("window", window);
    input.put("lines", facts.summary().lines());
    input.put("records", facts.summary().records());
    input.put("samplesOutsideWindow", facts.samplesOutsideWindow());
    input.put("skipped", facts.summary().skipped());
    input.put("warnings", facts.summary().warnings());
    report.put("input", input);
    report.put("notes", result.notes());
    report.put("outputs", outputs);
    return report;
  }

  /** Writes {@code report.json} into {@code file}. */
  public static void write(ReplayResult result, List<String> outputs, Path file) {
    try {
      MAPPER.writeValue(file.toFile(), toMap(result, outputs));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The report as a JSON string (for tests and tools). */
  public static String toJson(ReplayResult result, List<String> outputs) {
    try {
      return MAPPER.writeValueAsString(toMap(result, outputs));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialise the report", e);
    }
  }
}
