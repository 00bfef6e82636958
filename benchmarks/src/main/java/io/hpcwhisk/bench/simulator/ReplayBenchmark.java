package io.hpcwhisk.bench.simulator;

import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.replay.ReplayRequest;
import io.hpcwhisk.simulator.replay.Replays;
import io.hpcwhisk.simulator.report.ReplayResult;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the replay of an idle-node log: the first replay after JVM start-up (cold: class loading,
 * interpreter) and then {@code iterations} more (warm), each reading and parsing the whole file and
 * computing the figures without writing outputs. Prints the JVM's own start-up time for context. A
 * benchmark, not a test: it asserts nothing.
 */
public final class ReplayBenchmark {

  private ReplayBenchmark() {}

  /** The timings in milliseconds. */
  public record Timings(
      double jvmUptimeAtStartMs, double firstMs, double[] warmMs, ReplayResult result) {
    public double warmMedianMs() {
      double[] sorted = warmMs.clone();
      Arrays.sort(sorted);
      return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }

    public double warmMinMs() {
      return Arrays.stream(warmMs).min().orElse(Double.NaN);
    }
  }

  /** Runs the benchmark; {@code request}'s output directory is ignored. */
  public static Timings measure(ReplayRequest request, int iterations) {
    if (iterations < 0) {
      throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
    }
    double uptime = ManagementFactory.getRuntimeMXBean().getUptime();
    long start = System.nanoTime();
    ReplayResult result = Replays.replay(request, Progress.NONE);
    double first = (System.nanoTime() - start) / 1e6;
    double[] warm = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      long t = System.nanoTime();
      result = Replays.replay(request, Progress.NONE);
      warm[i] = (System.nanoTime() - t) / 1e6;
    }
    return new Timings(uptime, first, warm, result);
  }

  /** Prints the timings. */
  public static void print(Timings timings, PrintStream out) {
    ReplayResult result = timings.result();
    out.println("replay benchmark: " + result.title());
    out.println(
        String.format(
            Locale.ROOT,
            "  log: %s, %,d samples x %,d nodes, %.1f h",
            result.facts().summary().source(),
            result.facts().samples(),
            result.facts().nodes(),
            result.facts().durationSeconds() / 3600));
    out.println(
        String.format(
            Locale.ROOT,
            "  JVM start-up before the first replay: %.0f ms",
            timings.jvmUptimeAtStartMs()));
    out.println(
        String.format(
            Locale.ROOT,
            "  first replay after JVM start-up (read + parse + replay): %.1f ms",
            timings.firstMs()));
    if (timings.warmMs().length > 0) {
      out.println(
          String.format(
              Locale.ROOT,
              "  warm replays: %d, median %.1f ms, min %.1f ms",
              timings.warmMs().length,
              timings.warmMedianMs(),
              timings.warmMinMs()));
    }
    out.println(
        String.format(
            Locale.ROOT,
            "  readyShare %.2f %%, pilots %,d (the figures, to show the work was done)",
            result.figures().readyShare() * 100,
            result.figures().pilots()));
  }
}
