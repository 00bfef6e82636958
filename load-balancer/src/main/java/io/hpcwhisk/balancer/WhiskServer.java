package io.hpcwhisk.balancer;

import io.hpcwhisk.balancer.api.ApiServer;
import io.hpcwhisk.balancer.api.ApiSettings;
import io.hpcwhisk.balancer.auth.FileUserRecords;
import io.hpcwhisk.balancer.auth.IdentityStore;
import io.hpcwhisk.balancer.auth.UserRecords;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.ClusterDispatcher;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.balancer.feeds.AlarmOwners;
import io.hpcwhisk.balancer.feeds.AlarmService;
import io.hpcwhisk.balancer.feeds.AlarmSettings;
import io.hpcwhisk.balancer.feeds.AlarmsPackage;
import io.hpcwhisk.balancer.feeds.FeedDispatcher;
import io.hpcwhisk.balancer.feeds.TriggerWatch;
import io.hpcwhisk.balancer.invoke.ActionResolver;
import io.hpcwhisk.balancer.invoke.ActivationDispatcher;
import io.hpcwhisk.balancer.invoke.ActivationService;
import io.hpcwhisk.balancer.invoke.DispatcherFactory;
import io.hpcwhisk.balancer.invoke.Dispatchers;
import io.hpcwhisk.balancer.invoke.NamespaceThrottle;
import io.hpcwhisk.balancer.invoke.QuotaActivationStore;
import io.hpcwhisk.balancer.invoke.TriggerService;
import io.hpcwhisk.balancer.metrics.BalancerMetrics;
import io.hpcwhisk.balancer.metrics.MetricsHandler;
import io.hpcwhisk.balancer.pilots.PilotAdmission;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.balancer.pilots.PilotEndpoint;
import io.hpcwhisk.balancer.pilots.PilotEvents;
import io.hpcwhisk.balancer.pilots.PilotJobVerifier;
import io.hpcwhisk.balancer.pilots.PilotSubmissions;
import io.hpcwhisk.balancer.pilots.SlurmPilotJobVerifier;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.AlarmStore;
import io.hpcwhisk.balancer.store.EntityStore;
import io.hpcwhisk.balancer.store.FatalStoreError;
import io.hpcwhisk.balancer.store.MvAlarmStore;
import io.hpcwhisk.balancer.store.MvPilotBindingStore;
import io.hpcwhisk.balancer.store.MvStoreDatabase;
import io.hpcwhisk.balancer.store.PilotBindingStore;
import io.hpcwhisk.balancer.store.postgres.PostgresStore;
import io.hpcwhisk.balancer.system.SystemPackages;
import io.hpcwhisk.balancer.tls.ServerTls;
import io.hpcwhisk.core.harvest.LongActionDemand;
import io.hpcwhisk.protocol.PilotProtocol;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HPC-Whisk server: opens the store under the data directory, installs {@code
 * /whisk.system/utils}, ends or re-dispatches the activations a previous run left pending, then
 * serves the OpenWhisk API; a background task deletes activation records past their retention.
 */
public final class WhiskServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WhiskServer.class);

  /** The embedded store, or null with {@code store.kind: postgres}. */
  private final MvStoreDatabase db;

  /** The PostgreSQL store, or null with the embedded one. */
  private final PostgresStore pg;

  private final ActivationDispatcher dispatcher;

  /** Dispatch across servers ({@code store.kind: postgres} with pilots), or null. */
  private final ClusterDispatcher cluster;

  private final ApiServer api;
  private final ScheduledExecutorService housekeeping;
  private final IdentityStore identities;
  private final AlarmService alarms;
  private final ActivationService.Recovery recovery;
  private final ActivationService invoker;
  private final Duration drainGrace;
  private final PrometheusMeterRegistry prometheus;
  private final Optional<PilotSubmissions> submissions;
  private final ServerTls tls;
  private final String balancerUrl;
  private final String actionApiUrlSetting;

  private WhiskServer(
      ServerConfig config,
      DispatcherFactory dispatcherFactory,
      PrometheusMeterRegistry prometheus,
      String build)
      throws Exception {
    this(config, dispatcherFactory, Optional.empty(), prometheus, build);
  }

  /**
   * With {@code verifier} present, the dispatcher is the pilot balancer, admitting pilots through
   * it.
   */
  private WhiskServer(
      ServerConfig config,
      DispatcherFactory dispatcherFactory,
      Optional<PilotJobVerifier> verifier,
      PrometheusMeterRegistry prometheus,
      String build)
      throws Exception {
    this.prometheus = prometheus;
    this.actionApiUrlSetting = config.api().url();
    InstantSource clock = InstantSource.system();
    Path dataDir = config.store().dataPath();
    // a store that fails for good exits the process (status 70); the service manager restarts it
    EntityStore storedEntities;
    ActivationStore stored;
    PilotBindingStore storedBindings;
    AlarmStore storedAlarms;
    if (config.store().postgresKind()) {
      db = null;
      pg = PostgresStore.open(config.store().postgres());
      storedEntities = pg.entities();
      stored = pg.activations();
      storedBindings = pg.pilotBindings();
      storedAlarms = pg.alarms();
    } else {
      pg = null;
      db = MvStoreDatabase.open(dataDir, FatalStoreError::exitProcess);
      storedEntities = db.entities();
      stored = db.activations();
      storedBindings = MvPilotBindingStore.open(db);
      storedAlarms = MvAlarmStore.open(db);
    }
    identities =
        pg != null
            ? new IdentityStore(importUsersOnce(pg.users(), dataDir))
            : new IdentityStore(dataDir);
    if (config.api().guest()) {
      identities.allowGuest();
    }
    SystemPackages.install(storedEntities, clock.millis());
    AlarmsPackage.install(storedEntities, clock.millis());
    alarms =
        new AlarmService(
            storedAlarms,
            storedEntities,
            AlarmOwners.of(identities, config.api().guest()),
            new AlarmSettings(
                config.alarms().maxPerNamespace(), config.alarms().minIntervalSeconds()),
            clock);
    FunctionCounter.builder("whisk_alarm_fires", alarms, AlarmService::fires)
        .description("trigger fires made by alarms (/whisk.system/alarms)")
        .register(prometheus);
    FunctionCounter.builder("whisk_alarm_fires_refused", alarms, AlarmService::refusedFires)
        .description("alarm fires refused (namespace limits, quota) or failed, and skipped")
        .register(prometheus);
    // a deleted trigger takes its alarm with it
    EntityStore entities = new TriggerWatch(storedEntities, alarms);
    if (verifier.isPresent()) {
      PilotCredentials credentials = PilotCredentials.inDataDir(dataDir);
      PilotBindingStore bindings = storedBindings;
      PilotAdmission admission = new PilotAdmission(credentials, bindings, verifier.get(), clock);
      submissions =
          Optional.of(
              new PilotSubmissions(
                  credentials,
                  bindings,
                  verifier.get(),
                  config.balancer().tokenPath(dataDir),
                  clock));
      BalancerMetrics metrics = new BalancerMetrics(prometheus);
      dispatcherFactory =
          (c, host) -> new PilotDispatcher(config.balancer(), admission, c, host, metrics);
      LOG.info("{}", verifier.get().description());
    } else {
      submissions = Optional.empty();
    }
    // known now for a fixed port (activations re-dispatched by recovery see it); set again once
    // bound
    AtomicReference<String> apiHost =
        new AtomicReference<>(
            config.api().url() != null
                ? config.api().url()
                : config.api().port() > 0
                    ? config.api().scheme()
                        + "://"
                        + hostPart(actionHost(config.api().hosts()))
                        + ":"
                        + config.api().port()
                    : "");
    dispatcher = dispatcherFactory.create(clock, apiHost::get);
    // several servers over one database: what this server's pilots cannot take at once may run on
    // another server's (the embedded store keeps the direct path)
    cluster =
        pg != null && dispatcher instanceof PilotDispatcher local
            ? new ClusterDispatcher(
                local,
                pg.dispatchQueue(),
                config.store().postgres().serverStaleMs(),
                config.balancer().maxAttempts(),
                config.balancer().queueWaitSeconds() * 1000L,
                clock)
            : null;
    ServerConfig.Api a = config.api();
    NamespaceThrottle throttle =
        new NamespaceThrottle(
            clock,
            a.invocationsPerMinute(),
            a.firesPerMinute(),
            a.concurrentInvocations(),
            identities::limitsOf);
    ApiSettings settings =
        new ApiSettings(
            a.maxPayloadBytes(),
            ApiSettings.DEFAULT.maxCodeBytes(),
            a.blockingWaitSeconds() * 1000L,
            ApiSettings.DEFAULT.maxSequenceLength(),
            a.maxActionTimeoutSeconds() * 1000);
    ActionResolver resolver = new ActionResolver(entities);
    drainGrace = Duration.ofSeconds(a.drainSeconds());
    // the storage quota counts what each namespace keeps; the store itself is wrapped, not changed
    QuotaActivationStore counted =
        new QuotaActivationStore(stored, config.store().namespaceQuotaBytes());
    ActivationStore activations = counted;
    invoker =
        new ActivationService(
            resolver,
            activations,
            new FeedDispatcher(cluster != null ? cluster : dispatcher, alarms, clock),
            throttle,
            clock,
            settings.maxSequenceLength(),
            identities.activationKeys(),
            counted,
            a.maxChainDepth());
    // a caller waiting on an activation another server took over gets that server's record
    invoker.awaitOtherServersRecord(Duration.ofSeconds(a.blockingWaitSeconds() + 5L));
    TriggerService triggers = new TriggerService(entities, activations, invoker, throttle, clock);
    recovery = invoker.recover();
    alarms.start(triggers);
    long retentionMillis = TimeUnit.HOURS.toMillis(config.store().activationRetentionHours());
    housekeeping =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "housekeeping");
              t.setDaemon(true);
              return t;
            });
    if (cluster != null) {
      // several servers: what a server that died had accepted is not left until one starts
      long every = Math.max(1000, config.store().postgres().serverStaleMs());
      housekeeping.scheduleWithFixedDelay(
          () -> {
            try {
              invoker.recoverOrphans();
            } catch (RuntimeException e) {
              LOG.warn(
                  "could not take over the activations of servers that are gone: {}", e.toString());
            }
          },
          every,
          every,
          TimeUnit.MILLISECONDS);
    }
    housekeeping.scheduleWithFixedDelay(
        () -> {
          try {
            int n = activations.expire(clock.millis() - retentionMillis);
            if (n > 0) {
              LOG.info(
                  "deleted {} activation records older than {} hours",
                  n,
                  config.store().activationRetentionHours());
            }
          } catch (RuntimeException e) {
            LOG.warn("retention sweep failed; will try again", e);
          }
        },
        0,
        60,
        TimeUnit.SECONDS);
    submissions.ifPresent(
        s ->
            housekeeping.scheduleWithFixedDelay(
                () -> {
                  try {
                    s.sweep();
                  } catch (RuntimeException e) {
                    LOG.warn("pilot credential sweep failed; will try again", e);
                  }
                },
                0,
                30,
                TimeUnit.SECONDS));
    if (dispatcher instanceof PilotDispatcher pilots) {
      housekeeping.scheduleAtFixedRate(
          () -> {
            try {
              pilots.tick();
            } catch (RuntimeException e) {
              LOG.error("pilot dispatcher tick failed; continuing", e);
            }
          },
          100,
          100,
          TimeUnit.MILLISECONDS);
    }
    // the pilots get their own connector (port, threads): the API connector does not serve the
    // pilot path
    ApiServer.PilotSide pilotSide =
        dispatcher instanceof PilotEvents events
            ? new ApiServer.PilotSide(
                config.pilotPort(),
                (server, notFound) -> PilotEndpoint.install(server, events, notFound))
            : null;
    tls = a.tls().enabled() ? openTls(a.tls(), housekeeping, dispatcher, this::closeStore) : null;
    if (tls != null) {
      FunctionCounter.builder("whisk_tls_failed_handshakes", tls, ServerTls::failedHandshakes)
          .description(
              "TLS handshakes that failed (plain HTTP on the TLS port,"
                  + " clients that do not trust the certificate)")
          .register(prometheus);
      FunctionCounter.builder("whisk_tls_reloads", tls, ServerTls::reloads)
          .description("times a changed certificate was loaded without a restart")
          .register(prometheus);
    }
    balancerUrl = config.balancer().url();
    api =
        new ApiServer(
            new ApiServer.Binding(a.hosts(), config.pilotHosts(), tls),
            a.port(),
            new ApiServer.Parts(
                entities,
                activations,
                identities,
                resolver,
                invoker,
                triggers,
                throttle,
                settings,
                clock,
                build),
            config.http(),
            (server, handler) -> new MetricsHandler(prometheus, handler),
            pilotSide);
    try {
      api.start();
    } catch (Exception e) {
      // a port in use: nothing may stay open (the store's lock, the housekeeping threads)
      try {
        api.close();
      } finally {
        housekeeping.shutdownNow();
        alarms.close();
        if (cluster != null) {
          cluster.close();
        }
        dispatcher.close();
        closeStore();
        if (tls != null) {
          tls.close();
        }
      }
      throw e;
    }
    apiHost.set(actionApiUrl());
    LOG.info("executor: {}", dispatcher.description());
    if (dispatcher instanceof PilotDispatcher) {
      LOG.info(
          "pilots connect to {} with a credential made with the data directory's pilot-secret",
          pilotUrl());
    }
  }

  /**
   * Starts a server with the executor named in the configuration: {@code pilots} (the balancer:
   * pilot jobs register on {@code /pilot/v1}, admitted as {@link PilotAdmission} says and verified
   * as {@link #verifier(ServerConfig, Optional, Map, String)} makes from {@code balancer:}), {@code
   * local} or {@code none}.
   */
  public static WhiskServer start(ServerConfig config, String build) throws Exception {
    return start(
        config,
        config.api().executor().equals("pilots")
            ? Optional.of(verifier(config, Optional.empty(), Map.of(), null))
            : Optional.empty(),
        build);
  }

  /**
   * Starts a server whose pilots (executor {@code pilots}) are checked by {@code verifier}; other
   * executors ignore it.
   */
  public static WhiskServer start(
      ServerConfig config, Optional<PilotJobVerifier> verifier, String build) throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    boolean pilots = config.api().executor().equals("pilots");
    if (pilots && verifier.isEmpty()) {
      throw new IllegalArgumentException(
          "executor pilots needs a pilot verifier (balancer.verify-jobs)");
    }
    DispatcherFactory factory =
        (clock, apiHost) ->
            Dispatchers.forExecutor(
                config.api().executor(),
                clock,
                apiHost,
                config.store().dataPath(),
                config.api().localMemoryMb(),
                config.api().localUnsandboxedNamespace());
    return new WhiskServer(
        config, factory, pilots ? verifier : Optional.empty(), prometheus, build);
  }

  /**
   * The pilot verifier {@code balancer.verify-jobs} asks for: {@code none}, or {@code squeue} (from
   * {@code binDir}, with {@code environment}) checking the partition {@code
   * balancer.pilot-partition} (else {@code defaultPartition}) and the user {@code
   * balancer.pilot-user}.
   */
  public static PilotJobVerifier verifier(
      ServerConfig config,
      Optional<Path> binDir,
      Map<String, String> environment,
      String defaultPartition) {
    ServerConfig.Pilots b = config.balancer();
    if (b.verifyJobs().equals("none")) {
      return PilotJobVerifier.unverified("balancer.verify-jobs: none");
    }
    String partition = b.pilotPartition() != null ? b.pilotPartition() : defaultPartition;
    if (partition == null) {
      throw new IllegalArgumentException(
          "balancer.verify-jobs: slurm needs balancer.pilot-partition (the harvest partition pilots"
              + " run in), or set balancer.verify-jobs: none for pilots outside Slurm");
    }
    return new SlurmPilotJobVerifier(
        partition, b.pilotUser(), binDir, environment, Duration.ofSeconds(15));
  }

  /** Starts a server with a given dispatcher (tests, benchmarks). */
  public static WhiskServer start(ServerConfig config, DispatcherFactory dispatcher, String build)
      throws Exception {
    return new WhiskServer(
        config, dispatcher, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), build);
  }

  /** The credential issuer for pilot jobs (the secret lives in the data directory). */
  public static PilotCredentials pilotCredentials(ServerConfig config) {
    return PilotCredentials.inDataDir(config.store().dataPath());
  }

  /** The controller's side of pilot credentials (executor {@code pilots} only). */
  public Optional<PilotSubmissions> pilotSubmissions() {
    return submissions;
  }

  /**
   * The WebSocket URL pilots connect to: the pilots' own connector ({@code balancer.port}, by
   * default {@code api.port + 1}), with the port actually bound.
   *
   * @throws IllegalStateException when this server's executor has no pilots
   */
  public String pilotUrl() {
    InetSocketAddress a =
        api.pilotAddress()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "this server has no pilot endpoint (executor: "
                            + dispatcher.description()
                            + ")"));
    if (balancerUrl != null) {
      return balancerUrl;
    }
    InetSocketAddress chosen =
        api.pilotAddresses().stream()
            .filter(p -> !ServerConfig.Api.isLoopbackHost(p.getHostString()))
            .findFirst()
            .orElse(a);
    return (api.secure() ? "wss://" : "ws://")
        + hostPart(chosen.getHostString())
        + ":"
        + chosen.getPort()
        + PilotProtocol.PATH;
  }

  /**
   * The API's base URL that actions are given ({@code __OW_API_HOST}): {@code api.url} when set,
   * else the first bound API address that is not loopback (else the first), so an action on a
   * compute node reaches the API where the server listens on the cluster network.
   */
  public String actionApiUrl() {
    if (actionApiUrlSetting != null) {
      return actionApiUrlSetting;
    }
    InetSocketAddress chosen =
        api.addresses().stream()
            .filter(p -> !ServerConfig.Api.isLoopbackHost(p.getHostString()))
            .findFirst()
            .orElse(api.address());
    return (api.secure() ? "https://" : "http://")
        + hostPart(chosen.getHostString())
        + ":"
        + chosen.getPort();
  }

  private static String actionHost(List<String> hosts) {
    return hosts.stream()
        .filter(h -> !ServerConfig.Api.isLoopbackHost(h))
        .findFirst()
        .orElse(hosts.get(0));
  }

  /** The base URL of the API on its first address ({@code https://} with TLS). */
  public String apiUrl() {
    return (api.secure() ? "https://" : "http://")
        + hostPart(api.address().getHostString())
        + ":"
        + api.address().getPort();
  }

  /** The server's TLS, when {@code api.tls} is set. */
  public Optional<ServerTls> tls() {
    return Optional.ofNullable(tls);
  }

  private static String hostPart(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static ServerTls openTls(
      ServerConfig.Tls config,
      ScheduledExecutorService housekeeping,
      ActivationDispatcher dispatcher,
      Runnable closeStore) {
    try {
      return ServerTls.start(config);
    } catch (RuntimeException e) {
      // unusable certificate or key: nothing may stay open
      housekeeping.shutdownNow();
      dispatcher.close();
      closeStore.run();
      throw e;
    }
  }

  /** The HTTP server (tests that look at its connectors and thread pools). */
  public ApiServer http() {
    return api;
  }

  /** The pilots' connector's address, if this server has pilots. */
  public Optional<InetSocketAddress> pilotAddress() {
    return api.pilotAddress();
  }

  public ActivationDispatcher dispatcher() {
    return dispatcher;
  }

  public PrometheusMeterRegistry meters() {
    return prometheus;
  }

  public InetSocketAddress address() {
    return api.address();
  }

  /** The embedded store (tests that break it); null with {@code store.kind: postgres}. */
  MvStoreDatabase store() {
    return db;
  }

  /** The alarms of {@code /whisk.system/alarms}. */
  public AlarmService alarms() {
    return alarms;
  }

  private void closeStore() {
    if (db != null) {
      db.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  public IdentityStore identities() {
    return identities;
  }

  public ActivationService.Recovery recovery() {
    return recovery;
  }

  @Override
  public void close() {
    try {
      // drain while the server still runs: pilots deliver their results over its WebSocket
      // endpoint;
      // then the dispatcher stops (what is left stays pending for the next start) before the API
      // does
      alarms.close();
      invoker.drain(drainGrace);
      if (cluster != null) {
        cluster.close();
      }
      dispatcher.close();
      api.close();
    } finally {
      housekeeping.shutdownNow();
      alarms.close();
      if (cluster != null) {
        cluster.close();
      }
      dispatcher.close();
      closeStore();
      if (tls != null) {
        tls.close();
      }
    }
  }

  /**
   * Dispatch across servers over the PostgreSQL store (executor {@code pilots} with {@code
   * store.kind: postgres}).
   */
  public Optional<ClusterDispatcher> cluster() {
    return Optional.ofNullable(cluster);
  }

  /**
   * Runs a server in this JVM until it is killed: {@code [--config FILE] [--port N] [--data-dir D]
   * [--guest] [--executor pilots|local|none] [--verify-jobs slurm|none] [--pilot-partition P]
   * [--queue-wait-seconds N]}. Prints {@code listening on http://HOST:PORT} when ready. {@code
   * hpc-whisk server} is the command for users; this entry point serves tests that need a separate
   * process.
   */
  public static void main(String[] args) throws Exception {
    ServerConfig config = ServerConfig.DEFAULT;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = ServerConfig.load(Path.of(args[++i]));
        case "--port" ->
            config = config.withApi(config.api().withPort(Integer.parseInt(args[++i])));
        case "--data-dir" -> config = config.withStore(config.store().withDataDir(args[++i]));
        case "--guest" -> config = config.withApi(config.api().withGuest(true));
        case "--executor" -> config = config.withApi(config.api().withExecutor(args[++i]));
        case "--verify-jobs" ->
            config =
                config.withPilots(
                    config
                        .balancer()
                        .withVerifyJobs(args[++i], config.balancer().pilotPartition()));
        case "--pilot-partition" ->
            config =
                config.withPilots(
                    config.balancer().withVerifyJobs(config.balancer().verifyJobs(), args[++i]));
        case "--queue-wait-seconds" ->
            config =
                config.withPilots(
                    config.balancer().withQueueWaitSeconds(Integer.parseInt(args[++i])));
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
      }
    }
    WhiskServer server = start(config, "dev");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    LOG.warn("error while stopping", e);
                  }
                }));
    System.out.println("listening on " + server.apiUrl());
    System.out.flush();
    Thread.currentThread().join();
  }

  /**
   * What the pilot queue waits for, for the harvest controller: the longest timeout of a waiting
   * activation (none with another executor than pilots).
   */
  public LongActionDemand.Demand demand() {
    return dispatcher instanceof PilotDispatcher pilots
        ? LongActionDemand.Demand.ofMillis(pilots.longestQueuedTimeoutMs())
        : LongActionDemand.Demand.NONE;
  }

  /**
   * The database's users; when it has never had any ({@code version} 0) and the data directory
   * still has an {@code identities.json} (a server moving from the embedded store), its entries are
   * copied in once, digests as they are.
   */
  private static UserRecords importUsersOnce(UserRecords shared, Path dataDir) throws IOException {
    var file = new FileUserRecords(dataDir);
    if (shared.version() == 0 && file.version() != -1) {
      var entries = file.read();
      if (!entries.isEmpty()) {
        shared.update(current -> current.isEmpty() ? new ArrayList<>(entries) : current);
        LOG.info(
            "copied {} users from {} to {} (the file is no longer read)",
            entries.size(),
            file.describe(),
            shared.describe());
      }
    }
    return shared;
  }
}
