package io.hpcwhisk.balancer.pilots;

import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint pilots connect to, {@value PilotProtocol#PATH} on the API's Jetty server:
 * decodes {@link PilotMessage}s, hands the first ({@code register}, with the bearer token from the
 * upgrade request) and every later one to {@link PilotEvents}, and sends {@link BalancerMessage}s
 * without blocking: {@link Listener#send} and {@link Listener#close} only queue, in call order, on
 * the connection's outbox; a {@code pilot-writer} thread encodes and hands the frames to Jetty
 * (which queues the frames of one session in order). So the dispatcher, which sends under its lock,
 * does not encode JSON or write frames while it holds it (a burst's serialisation point). The pilot
 * id a connection speaks for is the one its own registration was admitted under: later messages
 * cannot name another. A refused registration gets {@code refused} and close 1008, or, for a pilot
 * id held by a live connection, close {@value #TRY_AGAIN_LATER} with the reason (the pilot
 * retries).
 */
public final class PilotEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(PilotEndpoint.class);

  private PilotEndpoint() {}

  /** Encodes and writes the queued frames of all connections (idle threads end after 60 s). */
  private static final ExecutorService WRITERS =
      Executors.newCachedThreadPool(
          new ThreadFactory() {
            private final AtomicInteger n = new AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
              Thread t = new Thread(r, "pilot-writer-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            }
          });

  /**
   * Wraps {@code next}: upgrade requests on the pilot path go to the endpoint, all others to {@code
   * next}.
   */
  public static Handler.Wrapper install(Server server, PilotEvents events, Handler next) {
    WebSocketUpgradeHandler upgrade =
        WebSocketUpgradeHandler.from(
            server,
            container -> {
              container.setIdleTimeout(Duration.ofSeconds(30));
              container.setMaxTextMessageSize(64L * 1024 * 1024);
              container.addMapping(
                  PilotProtocol.PATH,
                  (request, response, callback) -> {
                    String auth = request.getHeaders().get("Authorization");
                    String token =
                        auth != null && auth.startsWith("Bearer ")
                            ? auth.substring(7).strip()
                            : null;
                    String remote = String.valueOf(Request.getRemoteAddr(request));
                    return new Listener(events, token, remote);
                  });
            });
    upgrade.setHandler(next);
    return upgrade;
  }

  /** One pilot connection. */
  public static final class Listener implements Session.Listener.AutoDemanding, PilotConnection {
    private final PilotEvents events;
    private final String token;
    private final String remote;
    private volatile Session session;
    private volatile String pilotId;

    Listener(PilotEvents events, String token, String remote) {
      this.events = events;
      this.token = token;
      this.remote = remote;
    }

    @Override
    public void onWebSocketOpen(Session s) {
      this.session = s;
    }

    @Override
    public void onWebSocketText(String text) {
      PilotMessage message;
      try {
        message = PilotProtocol.decodePilotMessage(text);
      } catch (IllegalArgumentException e) {
        LOG.warn(
            "pilot {} at {} sent a message this balancer cannot read: {}",
            pilotId,
            remote,
            e.getMessage());
        if (pilotId == null) {
          refuse(e.getMessage());
        }
        return;
      }
      String id = pilotId;
      if (id != null) {
        events.message(id, this, message);
      } else if (message instanceof PilotMessage.Register register) {
        Optional<String> oldMinor = PilotProtocol.minorRefusal(register.minor());
        if (oldMinor.isPresent()) {
          LOG.warn(
              "refused pilot {} (job {}) from {}: {}",
              register.pilotId(),
              register.jobId(),
              remote,
              oldMinor.get());
          refuse(oldMinor.get());
          return;
        }
        try {
          pilotId = events.register(this, register, token);
        } catch (PilotEvents.Refusal refusal) {
          LOG.warn(
              "refused pilot {} (job {}) from {}: {}",
              register.pilotId(),
              register.jobId(),
              remote,
              refusal.getMessage());
          if (refusal.retryLater()) {
            tryAgainLater(refusal.getMessage());
          } else {
            refuse(refusal.getMessage());
          }
        }
      } else {
        refuse("the first message must be 'register', got " + message.getClass().getSimpleName());
      }
    }

    private void refuse(String reason) {
      Session s = session;
      s.sendText(
          PilotProtocol.encode(new BalancerMessage.Refused(reason)),
          Callback.from(
              () -> s.close(1008, "refused", Callback.NOOP),
              x -> s.close(1008, "refused", Callback.NOOP)));
    }

    /**
     * Closes with {@value #TRY_AGAIN_LATER} and the reason, without {@code refused}: a pilot takes
     * that as a connection that ended before registration and reconnects with its backoff.
     */
    private void tryAgainLater(String reason) {
      Session s = session;
      s.close(TRY_AGAIN_LATER, closeReason(reason), Callback.NOOP);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      String id = pilotId;
      if (id != null) {
        events.closed(
            id,
            this,
            "connection closed (" + statusCode + (reason == null ? "" : " " + reason) + ")");
      }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
      String id = pilotId;
      if (id != null) {
        events.closed(id, this, "connection failed: " + cause);
      }
    }

    /** What to send or close, in call order; written by one writer at a time. */
    private final Queue<Runnable> outbox = new ConcurrentLinkedQueue<>();

    private final AtomicBoolean writing = new AtomicBoolean();

    @Override
    public void send(BalancerMessage message) {
      Session s = session;
      if (s == null || !s.isOpen()) {
        return;
      }
      enqueue(() -> write(s, message));
    }

    private void write(Session s, BalancerMessage message) {
      if (!s.isOpen()) {
        return;
      }
      s.sendText(
          PilotProtocol.encode(message),
          Callback.from(
              () -> {},
              x -> {
                LOG.debug("sending to pilot {} failed: {}", pilotId, x.toString());
                s.close(1011, "send failed", Callback.NOOP);
              }));
    }

    @Override
    public void close(int code, String reason) {
      Session s = session;
      if (s != null) {
        // after what was queued before it
        enqueue(() -> s.close(code, reason, Callback.NOOP));
      }
    }

    private void enqueue(Runnable frame) {
      outbox.add(frame);
      if (writing.compareAndSet(false, true)) {
        WRITERS.execute(this::drainOutbox);
      }
    }

    /** Writes what is queued; another writer takes over only once this one is done. */
    private void drainOutbox() {
      while (true) {
        Runnable frame;
        while ((frame = outbox.poll()) != null) {
          try {
            frame.run();
          } catch (RuntimeException e) {
            LOG.warn("writing to pilot {} at {} failed: {}", pilotId, remote, e.toString());
          }
        }
        writing.set(false);
        // a frame queued after the poll above and before the flag was cleared
        if (outbox.isEmpty() || !writing.compareAndSet(false, true)) {
          return;
        }
      }
    }

    @Override
    public boolean isOpen() {
      Session s = session;
      return s != null && s.isOpen();
    }

    @Override
    public String remote() {
      return remote;
    }
  }

  /**
   * WebSocket close code 1013, "try again later": a registration that may succeed once the id is
   * free.
   */
  public static final int TRY_AGAIN_LATER = 1013;

  /** A close reason fits 123 bytes of UTF-8; longer ones are cut (at a character boundary). */
  static String closeReason(String reason) {
    String r = reason;
    while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
      r = r.substring(0, r.offsetByCodePoints(0, r.codePointCount(0, r.length()) - 1));
    }
    return r;
  }
}
