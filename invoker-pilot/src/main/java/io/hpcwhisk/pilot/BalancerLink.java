package io.hpcwhisk.pilot;

import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pilot's end of its WebSocket to the balancer, on the JDK's {@code java.net.http} client: sends
 * {@link PilotMessage}s one at a time and hands each {@link BalancerMessage} to a consumer.
 */
final class BalancerLink implements WebSocket.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(BalancerLink.class);

  private final Consumer<BalancerMessage> onMessage;
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket socket;

  private BalancerLink(Consumer<BalancerMessage> onMessage) {
    this.onMessage = onMessage;
  }

  /** Opens the connection with the job-scoped token as bearer credential. */
  static BalancerLink connect(HttpClient client, URI uri, String token, Consumer<BalancerMessage> onMessage,
      Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    BalancerLink link = new BalancerLink(onMessage);
    WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(timeout);
    if (!token.isEmpty()) {
      builder.header("Authorization", "Bearer " + token);
    }
    link.socket = builder.buildAsync(uri, link).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    return link;
  }

  /** Sends one message; false when the connection is gone. */
  synchronized boolean send(PilotMessage message) {
    WebSocket ws = socket;
    if (ws == null || closed.isDone()) {
      return false;
    }
    try {
      ws.sendText(PilotProtocol.encode(message), true).get(10, TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("sending {} to the balancer failed: {}", message.getClass().getSimpleName(), e.toString());
      closed.complete("send failed: " + e);
      ws.abort();
      return false;
    }
  }

  /** Completes with the reason when the connection ends. */
  CompletableFuture<String> closed() {
    return closed;
  }

  void close(String reason) {
    WebSocket ws = socket;
    if (ws != null && !closed.isDone()) {
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
