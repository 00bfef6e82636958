package io.hpcwhisk.balancer.api;

import io.hpcwhisk.balancer.config.HttpConfig;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads request bodies without holding a thread while the client is slow: Jetty calls back when
 * bytes arrive ({@link Request#demand}); a check every second ends a body that is past its deadline
 * or below the minimum rate. Each API key may have {@code bodiesPerKey} bodies arriving at once. A
 * body larger than its limit (an action's code for an action PUT, a payload otherwise) is read on
 * (and thrown away) up to {@value #DISCARD_LIMIT} bytes, so the client gets its 413 rather than a
 * reset connection.
 *
 * <p>Jetty 12.1's own {@code MinimumDataRateHandler} is not used: it compares the bytes read by
 * <em>all</em> requests since it started with the time since <em>this</em> request's first demand,
 * so under load it never fires, and its error reaches the handler as a 500.
 */
public final class BodyReader {

  /** Bytes of an oversize body read and discarded before the 413 is written anyway. */
  static final long DISCARD_LIMIT = 256L * 1_048_576;

  /** How a body read ended. */
  public sealed interface Outcome {
    /** The whole body, at most {@code maxBytes}. */
    record Body(byte[] bytes) implements Outcome {}

    /** Larger than {@code maxBytes}; {@code size} is what was seen (declared or read). */
    record TooLarge(long size) implements Outcome {}

    /** Too slow (deadline or rate); the message says which. */
    record TooSlow(String message) implements Outcome {}

    /** The key already has its limit of bodies arriving. */
    record Busy(int limit) implements Outcome {}

    /** The client went away or the read failed. */
    record Failed(Throwable cause) implements Outcome {}
  }

  /**
   * The answer to a body that could not be read: its status, message, and whether the connection is
   * closed after it (a slow or over-limit client does not get to keep it).
   */
  public record Refusal(int status, String message, boolean close) {}

  /**
   * The answer for {@code outcome} when it is not a body: 413 naming the size and the limit, 408
   * with the reason, 429 naming the limit per {@code busyScope} (e.g. "for this key"); empty for a
   * {@link Outcome.Body} and for a {@link Outcome.Failed} read (the client is gone: nothing to
   * answer).
   */
  public Optional<Refusal> refusal(Outcome outcome, boolean code, String busyScope) {
    if (outcome instanceof Outcome.TooLarge t) {
      return Optional.of(
          new Refusal(
              413,
              "Request larger than allowed: " + t.size() + " > " + maxBytes(code) + " bytes.",
              false));
    }
    if (outcome instanceof Outcome.TooSlow t) {
      return Optional.of(new Refusal(408, t.message(), true));
    }
    if (outcome instanceof Outcome.Busy b) {
      return Optional.of(
          new Refusal(
              429,
              "Too many requests with a body still arriving "
                  + busyScope
                  + ": at most "
                  + b.limit()
                  + " at once. Retry when one of them has finished.",
              true));
    }
    return Optional.empty();
  }

  private final HttpConfig limits;
  private final long maxPayloadBytes;
  private final long maxCodeBytes;
  private final Map<String, AtomicInteger> inProgress = new ConcurrentHashMap<>();

  BodyReader(HttpConfig limits, long maxPayloadBytes, long maxCodeBytes) {
    this.limits = limits;
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxCodeBytes = maxCodeBytes;
  }

  /**
   * The largest body kept for a request: an action's code for an action PUT, a payload otherwise.
   */
  public long maxBytes(boolean code) {
    return code ? maxCodeBytes : maxPayloadBytes;
  }

  /** Bodies arriving for {@code key} now (tests, metrics). */
  int inProgress(String key) {
    AtomicInteger n = inProgress.get(key);
    return n == null ? 0 : n.get();
  }

  /**
   * Starts reading the body of {@code request} for {@code key}, keeping at most {@link
   * #maxBytes}({@code code}); {@code done} gets exactly one outcome.
   */
  public void read(
      Request request, String key, boolean code, Scheduler scheduler, Consumer<Outcome> done) {
    if (request.getLength() > DISCARD_LIMIT) {
      done.accept(new Outcome.TooLarge(request.getLength()));
      return;
    }
    AtomicInteger count = inProgress.computeIfAbsent(key, k -> new AtomicInteger());
    if (count.incrementAndGet() > limits.bodiesPerKey()) {
      count.decrementAndGet();
      done.accept(new Outcome.Busy(limits.bodiesPerKey()));
      return;
    }
    new Read(request, count, maxBytes(code), scheduler, done).start();
  }

  private final class Read implements Runnable {
    private final Request request;
    private final AtomicInteger count;
    private final Scheduler scheduler;
    private final Consumer<Outcome> done;
    private final long maxBytes;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private final AtomicLong received = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private volatile Scheduler.Task check;

    Read(
        Request request,
        AtomicInteger count,
        long maxBytes,
        Scheduler scheduler,
        Consumer<Outcome> done) {
      this.request = request;
      this.maxBytes = maxBytes;
      this.count = count;
      this.scheduler = scheduler;
      this.done = done;
    }

    void start() {
      check = scheduler.schedule(this::check, 1, TimeUnit.SECONDS);
      run();
    }

    /** Reads what has arrived; asks Jetty to call again when there is more. */
    @Override
    public void run() {
      while (!finished.get()) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          finish(new Outcome.Failed(chunk.getFailure()));
          return;
        }
        int n = chunk.remaining();
        long total = received.addAndGet(n);
        if (total <= maxBytes) {
          byte[] bytes = new byte[n];
          chunk.getByteBuffer().get(bytes);
          data.write(bytes, 0, n);
        }
        boolean last = chunk.isLast();
        chunk.release();
        if (total > DISCARD_LIMIT) {
          finish(new Outcome.TooLarge(total));
          return;
        }
        if (last) {
          finish(
              total > maxBytes
                  ? new Outcome.TooLarge(total)
                  : new Outcome.Body(data.toByteArray()));
          return;
        }
      }
    }

    private void check() {
      if (finished.get()) {
        return;
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      long bytes = received.get();
      if (elapsedMillis >= limits.bodyDeadlineSeconds() * 1000L) {
        finish(
            new Outcome.TooSlow(
                "The request body did not arrive within "
                    + limits.bodyDeadlineSeconds()
                    + " s ("
                    + bytes
                    + " bytes received)."));
        return;
      }
      long graceMillis = limits.bodyGraceSeconds() * 1000L;
      if (limits.minBodyBytesPerSecond() > 0
          && elapsedMillis >= graceMillis
          && bytes * 1000 < (long) limits.minBodyBytesPerSecond() * elapsedMillis) {
        finish(
            new Outcome.TooSlow(
                "The request body arrived at "
                    + bytes * 1000 / Math.max(1, elapsedMillis)
                    + " bytes/s, below the minimum of "
                    + limits.minBodyBytesPerSecond()
                    + " bytes/s."));
        return;
      }
      check = scheduler.schedule(this::check, 1, TimeUnit.SECONDS);
    }

    private void finish(Outcome outcome) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      count.decrementAndGet();
      Scheduler.Task task = check;
      if (task != null) {
        task.cancel();
      }
      done.accept(outcome);
    }
  }
}
