package io.hpcwhisk.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads the lines a runtime writes on fd 3 (init acknowledgements and results) on its own thread,
 * keeping at most {@code limit} bytes of each line but counting its full length, so an oversize
 * result never fills the pilot's memory.
 */
final class ResultReader implements Runnable {

  /** One line from fd 3; {@code exited} marks the runtime's end instead of a line. */
  record Line(String text, long length, boolean oversize, boolean exited) {
    static final Line EXITED = new Line("", 0, false, true);
  }

  private final InputStream in;
  private volatile long limit;
  private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
  private final Thread thread;

  ResultReader(InputStream in, long limit, String name) {
    this.in = in;
    this.limit = limit;
    this.thread = new Thread(this, name);
    this.thread.setDaemon(true);
  }

  /** Sets the bytes kept of each line (a pre-started runtime takes its action's limit). */
  void limit(long value) {
    this.limit = value;
  }

  void start() {
    thread.start();
  }

  /** Called when the runtime process ended: wakes a waiting {@link #next}. */
  void processExited() {
    lines.offer(Line.EXITED);
  }

  /** The next line, or null when none came within the time. */
  Line next(long millis) throws InterruptedException {
    return lines.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** Drops lines left from an earlier activation (none are expected). */
  void clear() {
    lines.removeIf(line -> !line.exited());
  }

  @Override
  public void run() {
    byte[] buffer = new byte[64 * 1024];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    long length = 0;
    try {
      while (true) {
        int n = in.read(buffer);
        if (n < 0) {
          return;
        }
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            length += append(line, buffer, from, i, length);
            lines.offer(
                new Line(line.toString(StandardCharsets.UTF_8), length, length > limit, false));
            line.reset();
            length = 0;
            from = i + 1;
          }
        }
        length += append(line, buffer, from, n, length);
      }
    } catch (IOException e) {
      // The fifo was closed: the runtime is being torn down.
    }
  }

  private long append(ByteArrayOutputStream line, byte[] buffer, int from, int to, long soFar) {
    int count = to - from;
    long room = Math.max(0, limit + 1 - soFar);
    line.write(buffer, from, (int) Math.min(count, room));
    return count;
  }
}
