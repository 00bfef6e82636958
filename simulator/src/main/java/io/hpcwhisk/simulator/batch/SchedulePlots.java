package io.hpcwhisk.simulator.batch;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StackedXYAreaRenderer2;
import org.jfree.data.xy.DefaultTableXYDataset;
import org.jfree.data.xy.XYSeries;

/**
 * The run's timeline as a stacked area (JFreeChart, headless, same colours as part 1's replay
 * timeline): nodes running batch jobs, idle nodes with a ready pilot, warming up, and unused. At
 * most ~4,000 points are drawn; longer runs are thinned by taking every k-th sample.
 */
final class SchedulePlots {

  private SchedulePlots() {}

  static void timeline(RunResult run, Path file) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    int[][] t = run.timeline();
    int samples = t[0].length;
    int step = Math.max(1, samples / 4000);
    XYSeries ready = new XYSeries("idle, ready pilot", true, false);
    XYSeries warming = new XYSeries("idle, pilot warming up", true, false);
    XYSeries unused = new XYSeries("idle, unused", true, false);
    XYSeries busy = new XYSeries("batch jobs (and hand-over)", true, false);
    for (int i = 0; i < samples; i += step) {
      double days = i * run.sampleSeconds() / 86_400;
      ready.add(days, t[3][i], false);
      warming.add(days, t[2][i], false);
      unused.add(days, t[1][i], false);
      busy.add(days, t[0][i], false);
    }
    DefaultTableXYDataset dataset = new DefaultTableXYDataset();
    dataset.addSeries(ready);
    dataset.addSeries(warming);
    dataset.addSeries(unused);
    dataset.addSeries(busy);
    StackedXYAreaRenderer2 renderer = new StackedXYAreaRenderer2();
    renderer.setSeriesPaint(0, new Color(0x2e7d32));
    renderer.setSeriesPaint(1, new Color(0xf9a825));
    renderer.setSeriesPaint(2, new Color(0xb0bec5));
    renderer.setSeriesPaint(3, new Color(0x455a64));
    XYPlot plot =
        new XYPlot(
            dataset,
            new NumberAxis("days since the first submit"),
            new NumberAxis("nodes"),
            renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart =
        new JFreeChart(
            "simulate schedule: " + run.label(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    try {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, 1200, 600);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
