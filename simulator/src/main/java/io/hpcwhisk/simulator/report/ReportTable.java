package io.hpcwhisk.simulator.report;

import io.hpcwhisk.simulator.availability.TraceFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a report as the two-column table the command prints: figure, value (shares in percent).
 */
public final class ReportTable {

  private ReportTable() {}

  /** The table's rows, figure name then formatted value. */
  public static List<String[]> rows(ReplayResult result) {
    TraceFacts facts = result.facts();
    CoverageFigures f = result.figures();
    List<String[]> rows = new ArrayList<>();
    rows.add(
        row(
            "samples",
            String.format(
                Locale.ROOT,
                "%,d (mean spacing %.2f s)",
                facts.samples(),
                facts.meanSamplePeriodSeconds())));
    rows.add(row("nodes (0..max id)", String.format(Locale.ROOT, "%,d", facts.nodes())));
    rows.add(row("availableShare", percent(facts.availableShare(), 3)));
    rows.add(
        row(
            "meanAvailableNodes",
            decimal(facts.availableNodeSamples() / (double) facts.samples())));
    rows.add(row("readyShare", percent(f.readyShare(), 2)));
    rows.add(row("warmupShare", percent(f.warmupShare(), 2)));
    rows.add(row("unusedShare", percent(f.unusedShare(), 2)));
    rows.add(row("pilots", String.format(Locale.ROOT, "%,d", f.pilots())));
    rows.add(
        row(
            "noReadySamples",
            String.format(
                Locale.ROOT,
                "%,d of %,d (%s)",
                f.noReadySamples(),
                facts.samples(),
                percent(f.noReadySampleShare(), 2))));
    rows.add(row("longestNoReadyStretch", f.longestNoReadyStretchSamples() + " samples"));
    rows.add(row("meanReadyNodes", decimal(f.meanReadyNodes())));
    rows.add(row("ceilingReadyShare", percent(f.ceilingReadyShare(), 2)));
    for (Map.Entry<String, Object> extra : result.extraFigures().entrySet()) {
      rows.add(row(extra.getKey(), format(extra.getKey(), extra.getValue())));
    }
    return rows;
  }

  /** The table as text: a title line, then aligned rows. */
  public static String render(ReplayResult result) {
    List<String[]> rows = rows(result);
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
    StringBuilder out = new StringBuilder(result.title()).append('\n');
    for (String[] row : rows) {
      out.append(String.format(Locale.ROOT, "  %-" + width + "s  %s%n", row[0], row[1]));
    }
    return out.toString();
  }

  private static String format(String key, Object value) {
    if (value instanceof Double d) {
      return key.endsWith("Share") ? percent(d, 2) : decimal(d);
    }
    if (value instanceof Long || value instanceof Integer) {
      return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
    }
    return String.valueOf(value);
  }

  static String percent(double fraction, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f %%", fraction * 100);
  }

  private static String decimal(double value) {
    return String.format(Locale.ROOT, "%,.2f", value);
  }

  private static String[] row(String name, String value) {
    return new String[] {name, value};
  }
}
