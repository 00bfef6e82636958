package io.hpcwhisk.simulator.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes everything a replay produces into one output directory: {@code report.json}, {@code
 * timeline.csv}, {@code gap-lengths.csv}, and unless plots are turned off {@code timeline.png} and
 * {@code gap-cdf.png}.
 */
public final class ReportWriter {

  public static final String REPORT = "report.json";
  public static final String TIMELINE_CSV = "timeline.csv";
  public static final String GAPS_CSV = "gap-lengths.csv";
  public static final String TIMELINE_PNG = "timeline.png";
  public static final String GAP_CDF_PNG = "gap-cdf.png";

  private ReportWriter() {}

  /** Writes the outputs and returns the files written, {@code report.json} first. */
  public static List<Path> write(ReplayResult result, Path outDir, boolean plots) {
    try {
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create output directory " + outDir, e);
    }
    List<String> names = new ArrayList<>(List.of(REPORT, TIMELINE_CSV, GAPS_CSV));
    TimelineCsv.writeTimeline(result, outDir.resolve(TIMELINE_CSV));
    TimelineCsv.writeGapLengths(result.facts(), outDir.resolve(GAPS_CSV));
    if (plots) {
      Plots.writeTimeline(result, outDir.resolve(TIMELINE_PNG));
      Plots.writeGapCdf(result.facts(), outDir.resolve(GAP_CDF_PNG));
      names.add(TIMELINE_PNG);
      names.add(GAP_CDF_PNG);
    }
    ReportJson.write(result, names, outDir.resolve(REPORT));
    return names.stream().map(outDir::resolve).toList();
  }
}
