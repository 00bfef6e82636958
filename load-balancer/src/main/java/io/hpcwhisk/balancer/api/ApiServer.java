package io.hpcwhisk.balancer.api;

import io.hpcwhisk.balancer.auth.IdentityStore;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.ActionResolver;
import io.hpcwhisk.balancer.invoke.ActivationService;
import io.hpcwhisk.balancer.invoke.NamespaceThrottle;
import io.hpcwhisk.balancer.invoke.TriggerService;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.EntityStore;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Jetty server that serves the API on one address. */
public final class ApiServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final long STOP_TIMEOUT_MILLIS = 2_000;

  private final Server server;
  private final ServerConnector connector;
  private final GracefulHandler graceful;

  /** Everything the API needs from the rest of the server. */
  public record Parts(EntityStore entities, ActivationStore activations, IdentityStore identities,
      ActionResolver resolver, ActivationService invoker, TriggerService triggers, NamespaceThrottle throttle,
      ApiSettings settings, InstantSource clock, String build) {}

  public ApiServer(String host, int port, Parts p) {
    this(host, port, p, ServerConfig.Http.DEFAULT, (server, api) -> api);
  }

  /**
   * As above; {@code decorate} wraps the API's handler (metrics, the pilots' WebSocket endpoint) and
   * gets the Jetty server for handlers that need it.
   */
  public ApiServer(String host, int port, Parts p, ServerConfig.Http limits,
      java.util.function.BiFunction<Server, org.eclipse.jetty.server.Handler, org.eclipse.jetty.server.Handler> decorate) {
    QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), 8);
    threads.setName("api");
    server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    connector.setIdleTimeout(limits.idleTimeoutSeconds() * 1000L);
    server.addConnector(connector);
    Object writeLock = new Object();
    MetaApi meta = new MetaApi(p.throttle(), p.settings(), p.invoker().dispatcher().description(), p.build());
    ApiHandler api = new ApiHandler(p.identities(), meta, Map.of(
        "actions", new ActionsApi(p.entities(), p.resolver(), p.invoker(), p.settings(), p.clock(), writeLock),
        "packages", new PackagesApi(p.entities(), p.resolver(), p.settings(), p.clock(), writeLock),
        "triggers", new TriggersApi(p.entities(), p.triggers(), p.settings(), p.clock(), writeLock),
        "rules", new RulesApi(p.entities(), p.resolver(), p.settings(), p.clock(), writeLock),
        "activations", new ActivationsApi(p.activations())),
        new BodyReader(limits, p.settings().maxPayloadBytes(), Math.max(p.settings().maxCodeBytes(),
            p.settings().maxPayloadBytes())));
    server.setErrorHandler(new JsonErrorHandler());
    graceful = new GracefulHandler(decorate.apply(server, api));
    server.setHandler(graceful);
    server.setStopTimeout(STOP_TIMEOUT_MILLIS);
  }

  public void start() throws Exception {
    server.start();
  }

  /** The address actually bound (the port when 0 was asked for). */
  public InetSocketAddress address() {
    return new InetSocketAddress(connector.getHost() == null ? "0.0.0.0" : connector.getHost(),
        connector.getLocalPort());
  }

  /**
   * Stops the server: first the requests in flight end (new ones get 503), such as the 202 answers a shutdown gives
   * blocking callers, for up to {@value #STOP_TIMEOUT_MILLIS} ms; then the connectors close. Jetty's own stop shuts
   * the connectors down while it waits, and a connection whose request had been waiting without traffic could be
   * closed as idle just as its answer was being written (the caller got no bytes: {@code ShutdownHttpIT}).
   */
  @Override
  public void close() {
    try {
      graceful.shutdown().get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("requests still in flight after {} ms at the stop; their connections are closed", STOP_TIMEOUT_MILLIS);
    } catch (ExecutionException e) {
      LOG.warn("waiting for the requests in flight at the stop failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      server.stop();
    } catch (TimeoutException e) {
      // the graceful stop timed out on requests still waiting (blocking invokes whose activations stay
      // pending for the next start): Jetty has stopped anyway and closed their connections
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the API server: " + e.getMessage(), e);
    }
  }
}
