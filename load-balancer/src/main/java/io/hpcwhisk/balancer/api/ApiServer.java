package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.IdentityStore;
import io.hpcwhisk.balancer.config.HttpConfig;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.ActionResolver;
import io.hpcwhisk.balancer.invoke.ActivationIds;
import io.hpcwhisk.balancer.invoke.ActivationService;
import io.hpcwhisk.balancer.invoke.NamespaceThrottle;
import io.hpcwhisk.balancer.invoke.TriggerService;
import io.hpcwhisk.balancer.routes.ApiRoutesHandler;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.EntityStore;
import io.hpcwhisk.balancer.tls.ServerTls;
import io.hpcwhisk.balancer.web.WebActionsHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty server that serves the API on one address and, when there are pilots, their WebSocket
 * endpoint on a second connector (own port, own thread pool): the API connector does not serve the
 * pilot path and the pilot connector serves nothing else (404 with the API's JSON error body), so
 * no API load reaches the pilots' threads.
 */
public final class ApiServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final long STOP_TIMEOUT_MILLIS = 2_000;

  private final Server server;
  private final ServerConnector connector;
  private final List<ServerConnector> apiConnectors = new ArrayList<>();
  private final List<ServerConnector> pilotConnectors = new ArrayList<>();
  private final GracefulHandler graceful;
  private final ServerConnector pilotConnector;
  private final boolean secure;

  /**
   * The pilots' side: their port ({@code 0}: any free port) and their endpoint, which wraps the
   * handler it gets (the 404 for every other request on that connector).
   */
  public record PilotSide(int port, BiFunction<Server, Handler, Handler> endpoint) {}

  /**
   * Where the connectors listen and how: one API connector per address of {@code apiHosts}, one
   * pilot connector per address of {@code pilotHosts} (all API connectors on one port, all pilot
   * connectors on another), TLS on all of them when {@code tls} is not null.
   */
  public record Binding(List<String> apiHosts, List<String> pilotHosts, ServerTls tls) {
    public Binding {
      apiHosts = List.copyOf(apiHosts);
      pilotHosts = List.copyOf(pilotHosts);
      if (apiHosts.isEmpty() || pilotHosts.isEmpty()) {
        throw new IllegalArgumentException("the API and the pilots need at least one address each");
      }
    }

    /** Both on {@code host}, without TLS. */
    public static Binding plain(String host) {
      return new Binding(List.of(host), List.of(host), null);
    }
  }

  /** Everything the API needs from the rest of the server. */
  public record Parts(
      EntityStore entities,
      ActivationStore activations,
      IdentityStore identities,
      ActionResolver resolver,
      ActivationService invoker,
      TriggerService triggers,
      NamespaceThrottle throttle,
      ApiSettings settings,
      InstantSource clock,
      String build) {}

  public ApiServer(String host, int port, Parts p) {
    this(host, port, p, HttpConfig.DEFAULT, (server, api) -> api);
  }

  /**
   * As above; {@code decorate} wraps the API's handler (metrics, the pilots' WebSocket endpoint)
   * and gets the Jetty server for handlers that need it.
   */
  public ApiServer(
      String host,
      int port,
      Parts p,
      HttpConfig limits,
      BiFunction<Server, Handler, Handler> decorate) {
    this(host, port, p, limits, decorate, null);
  }

  /** As below, on one address without TLS. */
  public ApiServer(
      String host,
      int port,
      Parts p,
      HttpConfig limits,
      BiFunction<Server, Handler, Handler> decorate,
      PilotSide pilots) {
    this(Binding.plain(host), port, p, limits, decorate, pilots);
  }

  /**
   * As above, with the pilots' connectors when {@code pilots} is not null: their own {@link
   * QueuedThreadPool} ({@code pilots-*} threads, as large as the API's), acceptor and selector, on
   * {@code binding.pilotHosts()}.
   */
  public ApiServer(
      Binding binding,
      int port,
      Parts p,
      HttpConfig limits,
      BiFunction<Server, Handler, Handler> decorate,
      PilotSide pilots) {
    QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), 8);
    threads.setName("api");
    server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    secure = binding.tls() != null;
    if (secure) {
      // the certificate names addresses, and clients often connect by address (no SNI): no SNI host
      // check
      http.addCustomizer(new SecureRequestCustomizer(false));
    }
    for (String host : binding.apiHosts()) {
      ServerConnector c = new ServerConnector(server, factories(binding, http));
      c.setHost(host);
      c.setPort(port);
      c.setAcceptQueueSize(1024);
      c.setIdleTimeout(limits.idleTimeoutSeconds() * 1000L);
      listen(c, binding);
      server.addConnector(c);
      apiConnectors.add(c);
    }
    connector = apiConnectors.get(0);
    if (pilots != null) {
      QueuedThreadPool pilotThreads = new QueuedThreadPool(limits.maxThreads(), 4);
      pilotThreads.setName("pilots");
      for (String host : binding.pilotHosts()) {
        ServerConnector c =
            new ServerConnector(server, pilotThreads, null, null, 1, 1, factories(binding, http));
        c.setName("pilots-" + host);
        c.setHost(host);
        c.setPort(pilots.port());
        c.setAcceptQueueSize(1024);
        c.setIdleTimeout(limits.idleTimeoutSeconds() * 1000L);
        listen(c, binding);
        server.addConnector(c);
        pilotConnectors.add(c);
      }
      pilotConnector = pilotConnectors.get(0);
    } else {
      pilotConnector = null;
    }
    Object writeLock = new Object();
    MetaApi meta =
        new MetaApi(p.throttle(), p.settings(), p.invoker().dispatcher().description(), p.build());
    BodyReader bodies =
        new BodyReader(
            limits,
            p.settings().maxPayloadBytes(),
            Math.max(p.settings().maxCodeBytes(), p.settings().maxPayloadBytes()));
    ApiHandler api =
        new ApiHandler(
            p.identities(),
            meta,
            Map.of(
                "actions",
                    new ActionsApi(
                        p.entities(),
                        p.resolver(),
                        p.invoker(),
                        p.settings(),
                        p.clock(),
                        writeLock),
                "packages",
                    new PackagesApi(p.entities(), p.resolver(), p.settings(), p.clock(), writeLock),
                "triggers",
                    new TriggersApi(p.entities(), p.triggers(), p.settings(), p.clock(), writeLock),
                "rules",
                    new RulesApi(p.entities(), p.resolver(), p.settings(), p.clock(), writeLock),
                "activations", new ActivationsApi(p.activations())),
            bodies);
    server.setErrorHandler(new JsonErrorHandler());
    Handler web =
        new WebActionsHandler(p.identities(), p.resolver(), p.invoker(), p.settings(), bodies, api);
    Handler routes =
        new ApiRoutesHandler(p.entities(), p.identities(), p.resolver(), bodies, p.clock(), web);
    Handler apiSide = decorate.apply(server, routes);
    graceful =
        new GracefulHandler(
            pilots == null
                ? apiSide
                : new ByConnector(
                    pilotConnectors, pilots.endpoint().apply(server, new NotFound()), apiSide));
    server.setHandler(graceful);
    server.setStopTimeout(STOP_TIMEOUT_MILLIS);
  }

  private static ConnectionFactory[] factories(Binding binding, HttpConfiguration http) {
    HttpConnectionFactory h1 = new HttpConnectionFactory(http);
    if (binding.tls() == null) {
      return new ConnectionFactory[] {h1};
    }
    return new ConnectionFactory[] {
      new SslConnectionFactory(binding.tls().factory(), h1.getProtocol()), h1
    };
  }

  private static void listen(ServerConnector c, Binding binding) {
    if (binding.tls() != null) {
      c.addBean(binding.tls().handshakeListener());
    }
  }

  /** Whether the connectors speak TLS (https, wss). */
  public boolean secure() {
    return secure;
  }

  public void start() throws Exception {
    List<ServerConnector> opened = new ArrayList<>();
    try {
      // the pilots' first, so a pilot port in use is named as such; every address of one side on
      // the same port
      openAll(
          pilotConnectors,
          opened,
          "cannot listen for pilots on %s:%d (balancer.port; default api.port + 1): ");
      openAll(apiConnectors, opened, "cannot listen for the API on %s:%d (api.port): ");
      server.start();
    } catch (Exception e) {
      for (ServerConnector c : opened) {
        c.close(); // a port in use: no port of this server is kept
      }
      throw e;
    }
  }

  private static void openAll(
      List<ServerConnector> connectors, List<ServerConnector> opened, String message)
      throws IOException {
    for (int i = 0; i < connectors.size(); i++) {
      ServerConnector c = connectors.get(i);
      if (i > 0) {
        c.setPort(connectors.get(0).getLocalPort());
      }
      try {
        c.open();
        opened.add(c);
      } catch (IOException e) {
        throw new IOException(String.format(message, c.getHost(), c.getPort()) + e.getMessage(), e);
      }
    }
  }

  /** Every address the API listens on (the ports actually bound). */
  public List<InetSocketAddress> addresses() {
    return apiConnectors.stream()
        .map(c -> new InetSocketAddress(c.getHost(), c.getLocalPort()))
        .toList();
  }

  /** Every address the pilots' connectors listen on. */
  public List<InetSocketAddress> pilotAddresses() {
    return pilotConnectors.stream()
        .map(c -> new InetSocketAddress(c.getHost(), c.getLocalPort()))
        .toList();
  }

  /** The address actually bound (the port when 0 was asked for). */
  public InetSocketAddress address() {
    return new InetSocketAddress(
        connector.getHost() == null ? "0.0.0.0" : connector.getHost(), connector.getLocalPort());
  }

  /** The pilots' address actually bound, if this server has a pilot connector. */
  public Optional<InetSocketAddress> pilotAddress() {
    return Optional.ofNullable(pilotConnector)
        .map(
            c ->
                new InetSocketAddress(
                    c.getHost() == null ? "0.0.0.0" : c.getHost(), c.getLocalPort()));
  }

  /** The pilots' thread pool, if there are pilots (tests check it is not the API's). */
  public Optional<Executor> pilotExecutor() {
    return Optional.ofNullable(pilotConnector).map(ServerConnector::getExecutor);
  }

  /** The API's thread pool. */
  public Executor apiExecutor() {
    return connector.getExecutor();
  }

  /** Sends each request to the handler of the connector it arrived on: the pilots' or the API's. */
  private static final class ByConnector extends Handler.Sequence {
    private final List<? extends Connector> pilotConnectors;

    ByConnector(List<? extends Connector> pilotConnectors, Handler pilots, Handler api) {
      super(pilots, api);
      this.pilotConnectors = List.copyOf(pilotConnectors);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      List<Handler> handlers = getHandlers();
      Connector on = request.getConnectionMetaData().getConnector();
      boolean pilot = false;
      for (Connector c : pilotConnectors) {
        pilot |= c == on;
      }
      Handler h = pilot ? handlers.get(0) : handlers.get(1);
      return h.handle(request, response, callback);
    }
  }

  /** Every request on the pilots' connector that is not a pilot's upgrade: the API's 404. */
  private static final class NotFound extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String id = ActivationIds.next();
      response.setStatus(404);
      response.getHeaders().put("X-Request-ID", id);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("error", ApiHandler.NO_ROUTE);
      body.put("code", id);
      response.write(true, ByteBuffer.wrap(Json.bytes(body)), callback);
      return true;
    }
  }

  /**
   * Stops the server: first the requests in flight end (new ones get 503), such as the 202 answers
   * a shutdown gives blocking callers, for up to {@value #STOP_TIMEOUT_MILLIS} ms; then the
   * connectors close. Jetty's own stop shuts the connectors down while it waits, and a connection
   * whose request had been waiting without traffic could be closed as idle just as its answer was
   * being written (the caller got no bytes: {@code ShutdownHttpIT}).
   */
  @Override
  public void close() {
    try {
      graceful.shutdown().get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn(
          "requests still in flight after {} ms at the stop; their connections are closed",
          STOP_TIMEOUT_MILLIS);
    } catch (ExecutionException e) {
      LOG.warn("waiting for the requests in flight at the stop failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      server.stop();
    } catch (TimeoutException e) {
      // the graceful stop timed out on requests still waiting (blocking invokes whose activations
      // stay
      // pending for the next start): Jetty has stopped anyway and closed their connections
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the API server: " + e.getMessage(), e);
    }
  }
}
