package io.hpcwhisk.simulator.report;

import io.hpcwhisk.simulator.availability.Progress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on a terminal stream (stderr), redrawn with a carriage return. It stays
 * silent for the first {@code delayNanos} so that replays that finish quickly print nothing, then
 * redraws at most ten times a second, and ends its line when the replay is done.
 */
public final class ConsoleProgress implements Progress {

  private static final int BAR = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final String label;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private final long delayNanos;
  private long lastDraw = Long.MIN_VALUE;
  private boolean drawn;

  /**
   * @param out where to draw (stderr)
   * @param label what is progressing, e.g. {@code replay A1}
   * @param nanoTime the monotonic clock ({@code System::nanoTime})
   * @param delayNanos silence before the first draw
   */
  public ConsoleProgress(PrintStream out, String label, LongSupplier nanoTime, long delayNanos) {
    this.out = out;
    this.label = label;
    this.nanoTime = nanoTime;
    this.startNanos = nanoTime.getAsLong();
    this.delayNanos = delayNanos;
  }

  /** On stderr, after two seconds, with the system's monotonic clock. */
  public static ConsoleProgress onStderr(String label) {
    return new ConsoleProgress(System.err, label, System::nanoTime, 2_000_000_000L);
  }

  @Override
  public void update(double fraction) {
    long now = nanoTime.getAsLong();
    if (now - startNanos < delayNanos || (drawn && now - lastDraw < REDRAW_NANOS)) {
      return;
    }
    lastDraw = now;
    drawn = true;
    double clamped = Math.max(0, Math.min(1, fraction));
    int filled = (int) Math.round(clamped * BAR);
    out.print(
        String.format(
            Locale.ROOT,
            "\r%s [%s%s] %3.0f%% %5.1f s",
            label,
            "#".repeat(filled),
            " ".repeat(BAR - filled),
            clamped * 100,
            (now - startNanos) / 1e9));
    out.flush();
  }

  @Override
  public void done() {
    if (drawn) {
      lastDraw = Long.MIN_VALUE;
      drawn = false;
      update(1.0);
      out.println();
      out.flush();
    }
  }
}
