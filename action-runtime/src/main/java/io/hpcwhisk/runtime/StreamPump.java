package io.hpcwhisk.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Reads one output stream of a runtime (stdout or stderr) line by line on its own thread and hands
 * each line to the current activation's {@link ActivationLogs}, switching to the next activation's
 * logs at the end-of-activation marker; a pump for runtimes without markers is made by {@link
 * #polling}.
 */
final class StreamPump implements Runnable {

  static final String MARKER = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
  private static final int MAX_LINE = 64 * 1024;
  private static final long MIN_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
  static final long MAX_POLL_MILLIS = 20;

  private final InputStream in;
  private final String stream;
  private final Supplier<ActivationLogs> next;
  private volatile ActivationLogs sink;
  private volatile boolean finished;
  private final BooleanSupplier alive;
  private volatile long drainFrom = Long.MAX_VALUE;
  private volatile long emptyAt = Long.MIN_VALUE;
  private final Thread thread;

  StreamPump(
      InputStream in,
      String stream,
      ActivationLogs first,
      Supplier<ActivationLogs> next,
      String name) {
    this(in, stream, first, next, name, null);
  }

  private StreamPump(
      InputStream in,
      String stream,
      ActivationLogs first,
      Supplier<ActivationLogs> next,
      String name,
      BooleanSupplier alive) {
    this.alive = alive;
    this.in = in;
    this.stream = stream;
    this.sink = first;
    this.next = next;
    this.thread = new Thread(this, name);
    this.thread.setDaemon(true);
  }

  /**
   * A pump for a runtime that writes no end-of-activation markers (or may not): it never blocks in
   * read while {@code alive} holds, so {@link #drainedSince(long)} is exact.
   *
   * <p>It asks the pipe how much it holds ({@code available()}, which a blocked read would hold the
   * stream's lock against) and reads only that, so "the pipe was empty at a check that began after
   * the result came" proves that every line written before the result was read — on a loaded
   * machine too, where a reader that merely says it is about to block may not run for milliseconds.
   * Between activations it polls less often (at most every {@value #MAX_POLL_MILLIS} ms); a drain
   * request wakes it at once.
   */
  static StreamPump polling(
      InputStream in,
      String stream,
      ActivationLogs first,
      Supplier<ActivationLogs> next,
      String name,
      BooleanSupplier alive) {
    return new StreamPump(in, stream, first, next, name, alive);
  }

  /**
   * A {@link #polling} pump for the runtime process's {@code stream} ({@code "stdout"} or {@code
   * "stderr"}), alive while the process is; the thread is named {@code name-stream}.
   */
  static StreamPump polling(
      Process process,
      String stream,
      ActivationLogs first,
      Supplier<ActivationLogs> next,
      String name) {
    InputStream in = stream.equals("stderr") ? process.getErrorStream() : process.getInputStream();
    return polling(in, stream, first, next, name + "-" + stream, process::isAlive);
  }

  void start() {
    thread.start();
  }

  /** Points the pump at the next activation's logs (for runtimes that write no markers). */
  void switchTo(ActivationLogs logs) {
    sink = logs;
  }

  /**
   * True when the stream ended, or the pipe was found empty by a check that began at or after
   * {@code sinceNanos} (a partial last line is then handed on as a line): every byte the runtime
   * wrote before {@code sinceNanos} has been read and handed to the logs. Only for a {@link
   * #polling} pump; the first call for a moment wakes the pump.
   */
  boolean drainedSince(long sinceNanos) {
    if (alive == null) {
      throw new IllegalStateException("drainedSince needs a polling pump");
    }
    if (drainFrom != sinceNanos) {
      drainFrom = sinceNanos;
      LockSupport.unpark(thread);
    }
    return finished || emptyAt >= sinceNanos;
  }

  boolean finished() {
    return finished;
  }

  void join(long millis) throws InterruptedException {
    thread.join(millis);
  }

  @Override
  public void run() {
    if (alive != null) {
      poll();
      return;
    }
    byte[] buffer = new byte[8192];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      while (true) {
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        take(buffer, n, line);
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

  private void poll() {
    byte[] buffer = new byte[8192];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    long pause = MIN_POLL_NANOS;
    try {
      while (true) {
        long checkStart = System.nanoTime();
        int available = in.available();
        if (available > 0) {
          int n = in.read(buffer, 0, Math.min(available, buffer.length));
          if (n < 0) {
            break;
          }
          take(buffer, n, line);
          pause = MIN_POLL_NANOS;
        } else if (!alive.getAsBoolean()) {
          // The runtime has ended: read to the end (a child it left may still hold the pipe).
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          take(buffer, n, line);
        } else {
          long request = drainFrom;
          if (checkStart >= request) {
            if (line.size() > 0) {
              emit(line); // a last line without its newline belongs to this activation
            }
            emptyAt = checkStart;
            drainFrom = Long.MAX_VALUE; // served (a caller still waiting asks again)
          } else if (request != Long.MAX_VALUE) {
            pause = MIN_POLL_NANOS; // a drain waits for a later check: look again soon
          }
          LockSupport.parkNanos(this, pause);
          pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(MAX_POLL_MILLIS));
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

  private void take(byte[] buffer, int n, ByteArrayOutputStream line) {
    for (int i = 0; i < n; i++) {
      byte b = buffer[i];
      if (b == '\n') {
        emit(line);
      } else if (line.size() < MAX_LINE) {
        line.write(b);
      }
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
