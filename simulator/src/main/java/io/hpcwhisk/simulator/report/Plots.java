package io.hpcwhisk.simulator.report;

import io.hpcwhisk.simulator.availability.TraceFacts;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.Arrays;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StackedXYAreaRenderer2;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.xy.DefaultTableXYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws the report's PNG plots with JFreeChart, headless: {@code timeline.png}, a stacked area of
 * ready, warming-up and unused available nodes over the replay (the stack's top is the available
 * nodes), and {@code gap-cdf.png}, the CDF of the lengths of maximal available runs, by count and
 * weighted by node-time, on a log axis in minutes.
 */
public final class Plots {

  private static final int WIDTH = 1200;
  private static final int HEIGHT = 600;

  private Plots() {}

  /** Writes the stacked timeline of {@code result} to {@code file}. */
  public static void writeTimeline(ReplayResult result, Path file) {
    headless();
    TraceFacts facts = result.facts();
    Timeline timeline = result.timeline();
    XYSeries ready = new XYSeries("ready", true, false);
    XYSeries warming = new XYSeries("warming up", true, false);
    XYSeries unused = new XYSeries("available, unused", true, false);
    long first = facts.epochSecond(0);
    for (int i = 0; i < facts.samples(); i++) {
      double hours = (facts.epochSecond(i) - first) / 3600.0;
      int w = timeline.warmingAt(i);
      int r = timeline.readyAt(i);
      ready.add(hours, r, false);
      warming.add(hours, w, false);
      unused.add(hours, facts.availableAt(i) - w - r, false);
    }
    DefaultTableXYDataset dataset = new DefaultTableXYDataset();
    dataset.addSeries(ready);
    dataset.addSeries(warming);
    dataset.addSeries(unused);
    StackedXYAreaRenderer2 renderer = new StackedXYAreaRenderer2();
    renderer.setSeriesPaint(0, new Color(0x2e7d32));
    renderer.setSeriesPaint(1, new Color(0xf9a825));
    renderer.setSeriesPaint(2, new Color(0xb0bec5));
    XYPlot plot =
        new XYPlot(
            dataset,
            new NumberAxis("hours since " + first + " (unix)"),
            new NumberAxis("nodes"),
            renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(result.title(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    save(chart, file);
  }

  /** Writes the CDF of available-run lengths of {@code facts} to {@code file}. */
  public static void writeGapCdf(TraceFacts facts, Path file) {
    headless();
    int[] lengths = facts.runLengths();
    Arrays.sort(lengths);
    double minutesPerSample =
        facts.meanSamplePeriodSeconds() > 0 ? facts.meanSamplePeriodSeconds() / 60 : 1 / 6.0;
    long total = 0;
    for (int length : lengths) {
      total += length;
    }
    XYSeries byCount = new XYSeries("share of runs", true, true);
    XYSeries byTime = new XYSeries("share of available node-time", true, true);
    long cumulative = 0;
    for (int i = 0; i < lengths.length; i++) {
      cumulative += lengths[i];
      if (i + 1 == lengths.length || lengths[i + 1] != lengths[i]) {
        double minutes = lengths[i] * minutesPerSample;
        byCount.add(minutes, (i + 1) / (double) lengths.length);
        byTime.add(minutes, total == 0 ? 0 : cumulative / (double) total);
      }
    }
    XYSeriesCollection dataset = new XYSeriesCollection();
    dataset.addSeries(byCount);
    dataset.addSeries(byTime);
    LogAxis xAxis =
        new LogAxis(
            "available-run (gap) length, minutes at "
                + String.format(Locale.ROOT, "%.2f", minutesPerSample * 60)
                + " s per sample");
    xAxis.setSmallestValue(minutesPerSample / 2);
    xAxis.setTickUnit(new NumberTickUnit(1));
    xAxis.setNumberFormatOverride(new DecimalFormat("0.##"));
    NumberAxis yAxis = new NumberAxis("cumulative share");
    yAxis.setRange(0, 1.0);
    XYStepRenderer renderer = new XYStepRenderer();
    renderer.setSeriesPaint(0, new Color(0x1565c0));
    renderer.setSeriesPaint(1, new Color(0xc62828));
    XYPlot plot = new XYPlot(dataset, xAxis, yAxis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart =
        new JFreeChart(
            "CDF of available-run lengths (" + lengths.length + " runs)",
            JFreeChart.DEFAULT_TITLE_FONT,
            plot,
            true);
    chart.setBackgroundPaint(Color.WHITE);
    save(chart, file);
  }

  private static void save(JFreeChart chart, Path file) {
    try {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void headless() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }
}
