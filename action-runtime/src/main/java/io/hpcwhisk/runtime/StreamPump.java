package io.hpcwhisk.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Reads one output stream of a runtime (stdout or stderr) line by line on its own thread and hands
 * each line to the current activation's {@link ActivationLogs}. The end-of-activation marker
 * switches it to the next activation's logs. For runtimes without markers, {@link #drained(long,
 * long)} tells whether everything written so far has been read.
 */
final class StreamPump implements Runnable {

  static final String MARKER = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
  private static final int MAX_LINE = 64 * 1024;

  private final InputStream in;
  private final String stream;
  private final Supplier<ActivationLogs> next;
  private volatile ActivationLogs sink;
  private volatile boolean blocked;
  private volatile long blockedSince;
  private volatile boolean finished;
  private final Thread thread;

  StreamPump(
      InputStream in,
      String stream,
      ActivationLogs first,
      Supplier<ActivationLogs> next,
      String name) {
    this.in = in;
    this.stream = stream;
    this.sink = first;
    this.next = next;
    this.thread = new Thread(this, name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Points the pump at the next activation's logs (for runtimes that write no markers). */
  void switchTo(ActivationLogs logs) {
    sink = logs;
  }

  /**
   * True when the stream ended, or the pump has waited in read with no partial line for at least
   * {@code quietNanos}, counted from {@code sinceNanos} at the earliest (when the result came): a
   * blocked reader wakes within microseconds of a write, so a quiet reader means everything written
   * so far was read. ({@code available()} cannot be asked: the process stream holds its lock while
   * a read blocks.)
   */
  boolean drained(long sinceNanos, long quietNanos) {
    return finished
        || (blocked && System.nanoTime() - Math.max(blockedSince, sinceNanos) >= quietNanos);
  }

  boolean finished() {
    return finished;
  }

  void join(long millis) throws InterruptedException {
    thread.join(millis);
  }

  @Override
  public void run() {
    byte[] buffer = new byte[8192];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      while (true) {
        blockedSince = System.nanoTime();
        blocked = line.size() == 0;
        int n = in.read(buffer);
        blocked = false;
        if (n < 0) {
          break;
        }
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          if (b == '\n') {
            emit(line);
          } else if (line.size() < MAX_LINE) {
            line.write(b);
          }
        }
      }
    } catch (IOException e) {
      // The runtime is gone; what was read is kept.
    } finally {
      if (line.size() > 0) {
        emit(line);
      }
      finished = true;
    }
  }

  private void emit(ByteArrayOutputStream line) {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.equals(MARKER)) {
      ActivationLogs done = sink;
      sink = next.get();
      done.markerSeen();
    } else {
      sink.add(Instant.now(), stream, text);
    }
  }
}
