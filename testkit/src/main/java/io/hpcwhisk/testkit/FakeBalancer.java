package io.hpcwhisk.testkit;

import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A test double of the load balancer that speaks the real pilot protocol over a real WebSocket
 * (Jetty 12, loopback only): it registers pilots whose bearer token matches, records every message
 * they send, lets a test push activations or drain requests, and notices lost pilots (connection
 * closed without {@code leaving}, or no heartbeat for {@link #LOSS_AFTER}). Used by the pilot's
 * tests and by the start-up benchmark; the real balancer lives in {@code load-balancer/}.
 */
public final class FakeBalancer implements AutoCloseable {

  /** A pilot is lost after this long without a heartbeat (the balancer's Offline rule). */
  public static final Duration LOSS_AFTER = Duration.ofSeconds(3);

  /** What the double knows about one pilot connection. */
  public static final class PilotSession {
    private final Session session;
    private volatile PilotMessage.Register register;
    private volatile Instant registeredAt;
    private volatile Instant lastHeartbeat;
    private volatile PilotMessage.Heartbeat lastHeartbeatMessage;
    private volatile Instant lostAt;
    private volatile String lostReason;
    private volatile boolean left;
    private final List<PilotMessage> received = new CopyOnWriteArrayList<>();

    PilotSession(Session session) {
      this.session = session;
    }

    public Optional<PilotMessage.Register> register() {
      return Optional.ofNullable(register);
    }

    public Instant registeredAt() {
      return registeredAt;
    }

    public List<PilotMessage> received() {
      return List.copyOf(received);
    }

    public Optional<PilotMessage.Heartbeat> lastHeartbeat() {
      return Optional.ofNullable(lastHeartbeatMessage);
    }

    /**
     * When the double decided the pilot was lost (closed without leaving, or silent), if it did.
     */
    public Optional<Instant> lostAt() {
      return Optional.ofNullable(lostAt);
    }

    public Optional<String> lostReason() {
      return Optional.ofNullable(lostReason);
    }

    public boolean left() {
      return left;
    }

    public boolean open() {
      return session.isOpen();
    }
  }

  private final Server server;
  private final ServerConnector connector;
  private final String token;
  private final long heartbeatIntervalMs;

  /**
   * The protocol minor version the double announces ({@link PilotProtocol#MINOR} unless {@link
   * #announceMinor}).
   */
  private volatile int minor = PilotProtocol.MINOR;

  private final Map<String, Boolean> handedBackStarted = new ConcurrentHashMap<>();
  private final Map<String, PilotMessage.Completed> completed = new ConcurrentHashMap<>();
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final List<String> pongs = new CopyOnWriteArrayList<>();
  private final Map<String, PilotSession> pilots = new ConcurrentHashMap<>();
  private final List<PilotSession> refused = new CopyOnWriteArrayList<>();
  private final Map<String, ActivationOutcome> outcomes = new ConcurrentHashMap<>();
  private final Map<String, String> handedBack = new ConcurrentHashMap<>();
  private final List<String> accepted = new CopyOnWriteArrayList<>();
  private volatile Consumer<ActivationOutcome> onOutcome = outcome -> {};
  private final ScheduledExecutorService monitor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "fake-balancer-monitor");
            thread.setDaemon(true);
            return thread;
          });

  private FakeBalancer(String token, long heartbeatIntervalMs, int port) throws Exception {
    this.token = token;
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.server = new Server();
    this.connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    WebSocketUpgradeHandler upgrade =
        WebSocketUpgradeHandler.from(
            server,
            container ->
                container.addMapping(
                    PilotProtocol.PATH,
                    (request, response, callback) ->
                        new Endpoint(request.getHeaders().get("Authorization"))));
    server.setHandler(upgrade);
    server.start();
    monitor.scheduleAtFixedRate(this::checkSilence, 100, 100, TimeUnit.MILLISECONDS);
  }

  /** Starts the double on a free loopback port; pilots must present {@code token}. */
  public static FakeBalancer start(String token) throws Exception {
    return new FakeBalancer(token, 500, 0);
  }

  /** Starts the double on a given loopback port (0 for any) with the given heartbeat interval. */
  public static FakeBalancer start(String token, long heartbeatIntervalMs, int port)
      throws Exception {
    return new FakeBalancer(token, heartbeatIntervalMs, port);
  }

  /** The URL pilots connect to. */
  public URI uri() {
    return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + PilotProtocol.PATH);
  }

  public Optional<PilotSession> pilot(String pilotId) {
    return Optional.ofNullable(pilots.get(pilotId));
  }

  public Map<String, PilotSession> pilots() {
    return Map.copyOf(pilots);
  }

  /** Connections refused for a bad credential. */
  public int refusedCount() {
    return refused.size();
  }

  public Optional<ActivationOutcome> outcome(String activationId) {
    return Optional.ofNullable(outcomes.get(activationId));
  }

  public Map<String, ActivationOutcome> outcomes() {
    return Map.copyOf(outcomes);
  }

  /** Activations handed back, with the reason. */
  public Map<String, String> handedBack() {
    return Map.copyOf(handedBack);
  }

  /**
   * Activations acknowledged, in order: by {@code accepted}, or by a {@code started} or {@code
   * completed} that came first (a pilot sends no separate {@code accepted} for an activation it
   * starts at once).
   */
  public List<String> accepted() {
    return List.copyOf(accepted);
  }

  /**
   * Announce protocol minor {@code n} to pilots that register from now on (default {@link
   * PilotProtocol#MINOR}); a test announces one below {@link PilotProtocol#MIN_MINOR} to see the
   * pilot refuse it.
   */
  public FakeBalancer announceMinor(int n) {
    this.minor = n;
    return this;
  }

  /** Activations reported {@code started} (minor 1), in order. */
  public List<String> started() {
    return List.copyOf(started);
  }

  /**
   * Per handed-back activation, whether the pilot said it had started (minor-1 hand-backs only).
   */
  public Map<String, Boolean> handedBackStarted() {
    return Map.copyOf(handedBackStarted);
  }

  /** The {@code completed} message of an activation (with its {@code fault}), if one came. */
  public Optional<PilotMessage.Completed> completed(String activationId) {
    return Optional.ofNullable(completed.get(activationId));
  }

  /** Nonces of the {@code pong}s received. */
  public List<String> pongs() {
    return List.copyOf(pongs);
  }

  /** Sends a message given as wire JSON (a golden sample, for instance) to a registered pilot. */
  public void sendRaw(String pilotId, String json) {
    send(pilots.get(pilotId), PilotProtocol.decodeBalancerMessage(json));
  }

  /**
   * Calls {@code listener} on the connection's thread for every {@code completed} (for benchmarks).
   */
  public void onOutcome(Consumer<ActivationOutcome> listener) {
    this.onOutcome = listener;
  }

  /** Sends an activation to a registered pilot. */
  public void activate(String pilotId, ActivationRequest request) {
    send(pilots.get(pilotId), new BalancerMessage.Activate(request));
  }

  public void drain(String pilotId, String reason) {
    send(pilots.get(pilotId), new BalancerMessage.Drain(reason));
  }

  public void cancel(String pilotId, String activationId) {
    send(pilots.get(pilotId), new BalancerMessage.Cancel(activationId, "test"));
  }

  private void send(PilotSession pilot, BalancerMessage message) {
    if (pilot == null) {
      throw new IllegalArgumentException("no such pilot registered");
    }
    synchronized (pilot) {
      Callback.Completable done = new Callback.Completable();
      pilot.session.sendText(PilotProtocol.encode(message), done);
      done.join();
    }
  }

  private void checkSilence() {
    Instant now = Instant.now();
    for (PilotSession pilot : pilots.values()) {
      Instant last = pilot.lastHeartbeat;
      if (pilot.lostAt == null
          && !pilot.left
          && last != null
          && Duration.between(last, now).compareTo(LOSS_AFTER) > 0) {
        markLost(pilot, "no heartbeat for " + LOSS_AFTER.toMillis() + " ms");
      }
    }
  }

  private static void markLost(PilotSession pilot, String reason) {
    if (pilot.lostAt == null && !pilot.left) {
      pilot.lostReason = reason;
      pilot.lostAt = Instant.now();
    }
  }

  @Override
  public void close() throws Exception {
    monitor.shutdownNow();
    server.stop();
  }

  /** One WebSocket connection from a pilot. */
  public final class Endpoint implements Session.Listener.AutoDemanding {
    private final String authorization;
    private PilotSession pilot;

    Endpoint(String authorization) {
      this.authorization = authorization;
    }

    @Override
    public void onWebSocketOpen(Session session) {
      pilot = new PilotSession(session);
      if (!("Bearer " + token).equals(authorization)) {
        refused.add(pilot);
        Callback.Completable done = new Callback.Completable();
        session.sendText(
            PilotProtocol.encode(new BalancerMessage.Refused("invalid credential")), done);
        done.whenComplete((ok, error) -> session.close(1008, "invalid credential", Callback.NOOP));
      }
    }

    @Override
    public void onWebSocketText(String text) {
      PilotMessage message = PilotProtocol.decodePilotMessage(text);
      pilot.received.add(message);
      if (message instanceof PilotMessage.Register register) {
        if (refused.contains(pilot)) {
          return;
        }
        pilot.register = register;
        pilot.registeredAt = Instant.now();
        pilot.lastHeartbeat = Instant.now();
        pilots.put(register.pilotId(), pilot);
        send(
            pilot,
            new BalancerMessage.Registered(
                register.pilotId(), heartbeatIntervalMs, System.currentTimeMillis(), minor));
      } else if (message instanceof PilotMessage.Heartbeat heartbeat) {
        pilot.lastHeartbeat = Instant.now();
        pilot.lastHeartbeatMessage = heartbeat;
      } else if (message instanceof PilotMessage.Accepted a) {
        accepted.add(a.activationId());
      } else if (message instanceof PilotMessage.Started st) {
        acknowledgedBy(st.activationId());
        started.add(st.activationId());
      } else if (message instanceof PilotMessage.Pong pong) {
        pongs.add(pong.nonce());
      } else if (message instanceof PilotMessage.Completed c) {
        acknowledgedBy(c.outcome().activationId());
        completed.putIfAbsent(c.outcome().activationId(), c);
        outcomes.putIfAbsent(c.outcome().activationId(), c.outcome());
        onOutcome.accept(c.outcome());
      } else if (message instanceof PilotMessage.HandBack h) {
        h.activations()
            .forEach(
                item -> {
                  handedBack.put(item.activationId(), h.reason());
                  handedBackStarted.put(item.activationId(), item.started());
                });
      } else if (message instanceof PilotMessage.Leaving) {
        pilot.left = true;
      }
    }

    /** A 'started' or 'completed' acknowledges an activation not acknowledged yet. */
    private void acknowledgedBy(String activationId) {
      synchronized (accepted) {
        if (!accepted.contains(activationId)) {
          accepted.add(activationId);
        }
      }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      if (pilot != null && pilot.register != null) {
        markLost(pilot, "connection closed (" + statusCode + " " + reason + ") without leaving");
      }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
      if (pilot != null && pilot.register != null) {
        markLost(pilot, "connection error " + cause);
      }
    }
  }

  /** Activation ids seen in any message, for diagnostics. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    pilots.forEach(
        (id, p) ->
            lines.add(
                id
                    + ": "
                    + p.received.size()
                    + " messages, left="
                    + p.left
                    + ", lost="
                    + p.lostAt));
    return lines;
  }
}
