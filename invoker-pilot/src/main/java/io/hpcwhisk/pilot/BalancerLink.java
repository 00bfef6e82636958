package io.hpcwhisk.pilot;

import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pilot's end of its WebSocket to the balancer, on the JDK's {@code java.net.http} client:
 * sends {@link PilotMessage}s in order without blocking the caller (a queue, one frame in flight at
 * a time) and hands each {@link BalancerMessage} to a consumer.
 */
final class BalancerLink implements WebSocket.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(BalancerLink.class);

  private final Consumer<BalancerMessage> onMessage;
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private static final long SEND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final StringBuilder partial = new StringBuilder();
  private final ArrayDeque<String> outbox = new ArrayDeque<>();
  private volatile WebSocket socket;

  /** Whether a frame is being sent (its completion sends the next); guarded by this. */
  private boolean sending;

  private long sendingSince;

  /**
   * Frames queued and frames written so far, and threads waiting for a frame to be written; guarded
   * by this.
   */
  private long queuedSeq;

  private long writtenSeq;
  private int waiters;

  private BalancerLink(Consumer<BalancerMessage> onMessage) {
    this.onMessage = onMessage;
  }

  /** Opens the connection with the job-scoped token as bearer credential. */
  static BalancerLink connect(
      HttpClient client,
      URI uri,
      String token,
      Consumer<BalancerMessage> onMessage,
      Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    BalancerLink link = new BalancerLink(onMessage);
    WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(timeout);
    if (!token.isEmpty()) {
      builder.header("Authorization", "Bearer " + token);
    }
    link.socket =
        builder.buildAsync(uri, link).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    return link;
  }

  /**
   * Queues one message and returns at once; false when the connection is gone. Messages leave in
   * the order they were queued, one frame at a time (the JDK allows one outstanding send): whoever
   * finds the link idle sends, and each completed frame sends the next. A frame outstanding for
   * longer than {@link #SEND_TIMEOUT_NANOS} ends the connection (noticed at the next send, at least
   * every heartbeat).
   */
  boolean send(PilotMessage message) {
    return enqueue(message) > 0;
  }

  /**
   * Queues one message and waits until it has been written to the connection (what was queued
   * before it too), at most {@code millis}: for a message that must be on its way before the pilot
   * acts, such as {@code started} before the runtime runs the activation (a pilot SIGKILLed right
   * after still delivers what it wrote). False when the connection ended or the time ran out first.
   */
  boolean sendAndWait(PilotMessage message, long millis) throws InterruptedException {
    long seq = enqueue(message);
    if (seq <= 0) {
      return false;
    }
    long until = System.currentTimeMillis() + millis;
    synchronized (this) {
      waiters++;
      try {
        while (writtenSeq < seq && !closed.isDone()) {
          long left = until - System.currentTimeMillis();
          if (left <= 0) {
            return false;
          }
          wait(left);
        }
        return writtenSeq >= seq;
      } finally {
        waiters--;
      }
    }
  }

  /**
   * Queues the message and sends if the link is idle; its sequence number, or 0 when the link is
   * gone.
   */
  private long enqueue(PilotMessage message) {
    String text = PilotProtocol.encode(message);
    long seq;
    boolean stuck = false;
    synchronized (this) {
      if (socket == null || closed.isDone()) {
        return 0;
      }
      if (sending && System.nanoTime() - sendingSince > SEND_TIMEOUT_NANOS) {
        stuck = true;
        seq = 0;
      } else {
        outbox.addLast(text);
        seq = ++queuedSeq;
        if (sending) {
          return seq;
        }
        sending = true;
        sendingSince = System.nanoTime();
      }
    }
    if (stuck) {
      failed(
          message.getClass().getSimpleName(),
          new TimeoutException("a frame was not sent within 10 s"));
      return 0;
    }
    pump();
    return seq;
  }

  /** Sends queued frames until the queue is empty or a send is still in progress. */
  private void pump() {
    WebSocket ws = socket;
    while (true) {
      String text;
      synchronized (this) {
        text = closed.isDone() ? null : outbox.pollFirst();
        if (text == null) {
          sending = false;
          notifyAll();
          return;
        }
        sendingSince = System.nanoTime();
      }
      CompletableFuture<WebSocket> sent = ws.sendText(text, true);
      if (!sent.isDone()) {
        sent.whenComplete(
            (w, error) -> {
              if (error != null) {
                failed("a message", error);
              } else {
                written();
                pump();
              }
            });
        return;
      }
      if (sent.isCompletedExceptionally()) {
        sent.whenComplete((w, error) -> failed("a message", error));
        return;
      }
      written();
    }
  }

  private synchronized void written() {
    writtenSeq++;
    if (waiters > 0) {
      notifyAll();
    }
  }

  private void failed(String what, Throwable error) {
    LOG.warn("sending {} to the balancer failed: {}", what, error.toString());
    synchronized (this) {
      outbox.clear();
      sending = false;
      notifyAll();
    }
    closed.complete("send failed: " + error);
    WebSocket ws = socket;
    if (ws != null) {
      ws.abort();
    }
  }

  /**
   * Waits until every queued frame has been sent (or the connection ended), at most {@code millis}.
   */
  synchronized void flush(long millis) throws InterruptedException {
    long until = System.currentTimeMillis() + millis;
    while (sending && !closed.isDone()) {
      long left = until - System.currentTimeMillis();
      if (left <= 0) {
        return;
      }
      wait(left);
    }
  }

  /** Completes with the reason when the connection ends. */
  CompletableFuture<String> closed() {
    return closed;
  }

  /** Sends what is queued (at most 2 s), then closes. */
  void close(String reason) {
    WebSocket ws = socket;
    if (ws != null && !closed.isDone()) {
      try {
        flush(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, reason).get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        ws.abort();
      }
    }
    closed.complete(reason);
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      try {
        onMessage.accept(PilotProtocol.decodeBalancerMessage(text));
      } catch (IllegalArgumentException e) {
        LOG.warn("ignoring a message from the balancer: {}", e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("handling a message from the balancer failed", e);
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete("closed by the balancer (" + statusCode + " " + reason + ")");
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete("connection failed: " + error);
  }
}
