package io.hpcwhisk.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads the lines a runtime writes on fd 3 (init acknowledgements and results) on its own thread,
 * keeping at most {@code limit} bytes of each line but counting its full length, so an oversize
 * result never fills the pilot's memory.
 *
 * <p>The runtime's end reaches a waiting {@link #next} only after every line it wrote: when the
 * process exits, the pilot writes a mark of its own, new for each runtime, into the same fifo (it
 * holds it open read-write), behind everything the runtime wrote; the reader turns that mark into
 * {@link Line#EXITED}. (Offering the end directly raced the reader on a loaded machine: an init
 * failure written just before exiting was reported as "exited unexpectedly".) A runtime that writes
 * the mark itself can only end its own activation early.
 */
final class ResultReader implements Runnable {

  /** One line from fd 3; {@code exited} marks the runtime's end instead of a line. */
  record Line(String text, long length, boolean oversize, boolean exited) {
    static final Line EXITED = new Line("", 0, false, true);
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final InputStream in;
  private final OutputStream self;
  private final byte[] endMark;
  private volatile long limit;
  private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
  private final Thread thread;

  /**
   * @param in the fifo's read end
   * @param self the pilot's own write end of the same fifo (for the end mark)
   */
  ResultReader(InputStream in, OutputStream self, long limit, String name) {
    this.in = in;
    this.self = self;
    byte[] token = new byte[12];
    RANDOM.nextBytes(token);
    this.endMark =
        ("hpcwhisk-runtime-ended-" + HexFormat.of().formatHex(token))
            .getBytes(StandardCharsets.US_ASCII);
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

  /**
   * Called when the runtime process ended: queues the end mark behind the runtime's last bytes, so
   * a waiting {@link #next} gets every line first and then {@link Line#EXITED}.
   */
  void processExited() {
    try {
      synchronized (self) {
        byte[] line = Arrays.copyOf(endMark, endMark.length + 1);
        line[endMark.length] = '\n';
        self.write(line);
        self.flush();
      }
    } catch (IOException e) {
      lines.offer(Line.EXITED); // the fifo is closed: the runtime is being torn down
    }
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
    byte[] tail = new byte[endMark.length]; // the line's last bytes, however long the line
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
            keepTail(tail, buffer, from, i);
            if (length >= endMark.length && Arrays.equals(tail, endMark)) {
              lines.offer(Line.EXITED); // behind every line the runtime wrote
              return;
            }
            lines.offer(
                new Line(line.toString(StandardCharsets.UTF_8), length, length > limit, false));
            line.reset();
            length = 0;
            from = i + 1;
          }
        }
        length += append(line, buffer, from, n, length);
        keepTail(tail, buffer, from, n);
      }
    } catch (IOException e) {
      // The fifo was closed: the runtime is being torn down.
    }
  }

  /** Shifts {@code buffer[from, to)} into {@code tail}, which keeps the last bytes seen. */
  private static void keepTail(byte[] tail, byte[] buffer, int from, int to) {
    int count = to - from;
    if (count >= tail.length) {
      System.arraycopy(buffer, to - tail.length, tail, 0, tail.length);
    } else if (count > 0) {
      System.arraycopy(tail, count, tail, 0, tail.length - count);
      System.arraycopy(buffer, from, tail, tail.length - count, count);
    }
  }

  private long append(ByteArrayOutputStream line, byte[] buffer, int from, int to, long soFar) {
    int count = to - from;
    long room = Math.max(0, limit + 1 - soFar);
    line.write(buffer, from, (int) Math.min(count, room));
    return count;
  }
}
