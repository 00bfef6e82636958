package io.hpcwhisk.bench.pilot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median, p95, p99 and range of a sample of durations in milliseconds. */
record Stats(int n, double median, double p95, double p99, double min, double max) {

  static Stats of(List<Double> millis) {
    if (millis.isEmpty()) {
      return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    return new Stats(
        sorted.size(),
        at(sorted, 0.5),
        at(sorted, 0.95),
        at(sorted, 0.99),
        sorted.get(0),
        sorted.get(sorted.size() - 1));
  }

  private static double at(List<Double> sorted, double q) {
    int index = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  String format() {
    return String.format(
        Locale.ROOT,
        "n=%d median=%.3f ms p95=%.3f ms p99=%.3f ms min=%.3f ms max=%.3f ms",
        n,
        median,
        p95,
        p99,
        min,
        max);
  }
}
