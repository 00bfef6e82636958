package io.hpcwhisk.balancer.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.hpcwhisk.configuration.Check;
import io.hpcwhisk.configuration.ConfigBinding;
import io.hpcwhisk.configuration.ConfigException;
import io.hpcwhisk.configuration.ConfigFile;
import io.hpcwhisk.configuration.Copyable;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code api:}, {@code store:}, {@code balancer:} and {@code http:} sections of {@code
 * hpc-whisk.yaml}, read by {@link ConfigBinding}. Missing values take the defaults below (one
 * {@link Check} line per key in each compact constructor, next to the range); unknown keys inside
 * these sections are errors naming the nearest known key. Copies with one value changed: {@code
 * api.with(Api::port, 0)} (see {@link Copyable}), which cannot drop a field.
 */
@JsonIgnoreProperties(
    ignoreUnknown = true) // the other sections belong to other components; ConfigFile checks names
public record ServerConfig(
    Api api, StoreConfig store, Pilots balancer, HttpConfig http, AlarmsConfig alarms)
    implements Copyable<ServerConfig> {

  public ServerConfig {
    alarms = alarms == null ? AlarmsConfig.DEFAULT : alarms;
    api = api == null ? Api.DEFAULT : api;
    store = store == null ? StoreConfig.DEFAULT : store;
    balancer = balancer == null ? Pilots.DEFAULT : balancer;
    http = http == null ? HttpConfig.DEFAULT : http;
    if (balancer.port() != null && balancer.port() != 0 && balancer.port().equals(api.port())) {
      throw new ConfigException(
          "balancer.port",
          api.port()
              + " is the same as api.port (expected another port:"
              + " pilots get their own)");
    }
  }

  /**
   * The port of the pilots' own connector: {@code balancer.port}, else {@code api.port + 1}, else 0
   * (any free port) when {@code api.port} is 0.
   */
  public int pilotPort() {
    if (balancer.port() != null) {
      return balancer.port();
    }
    if (api.port() == 65535) {
      throw new ConfigException(
          "balancer.port",
          "missing (it defaults to api.port + 1, and api.port is 65535:"
              + " set balancer.port, 0..65535, 0 for any free port)");
    }
    return api.port() == 0 ? 0 : api.port() + 1;
  }

  /** The addresses the pilots' connector binds: {@code balancer.host}, else {@code api.host}. */
  public List<String> pilotHosts() {
    return balancer.host() != null ? hostsOf("balancer.host", balancer.host()) : api.hosts();
  }

  public ServerConfig(Api api, StoreConfig store) {
    this(api, store, null, null);
  }

  /** Without an {@code alarms:} section (its defaults). */
  public ServerConfig(Api api, StoreConfig store, Pilots balancer, HttpConfig http) {
    this(api, store, balancer, http, null);
  }

  public ServerConfig withAlarms(AlarmsConfig a) {
    return with(ServerConfig::alarms, a);
  }

  public ServerConfig(Api api, StoreConfig store, Pilots balancer) {
    this(api, store, balancer, null);
  }

  public static final ServerConfig DEFAULT = new ServerConfig(null, null, null, null, null);

  /**
   * The HTTP API.
   *
   * @param host address to bind; default {@code 127.0.0.1} (loopback only)
   * @param port default 3233, as OpenWhisk's standalone server; 0 picks a free port
   * @param guest provide the {@code guest} namespace with OpenWhisk's well-known (public) key, with
   *     any executor ({@code hpc-whisk up} uses it with pilots); {@code host} must include a
   *     loopback address, and the key is accepted only on loopback connectors (anyone who can reach
   *     the API could use the namespace); default false
   * @param executor {@code pilots} (route to pilot jobs that register on {@code /pilot/v1}), {@code
   *     local} (run actions in runtimes on this machine) or {@code none}; default local (a server
   *     without a configuration file runs alone); the shipped cluster configuration sets {@code
   *     pilots}
   * @param blockingWaitSeconds how long a blocking invoke waits before answering 202; default 60
   * @param maxPayloadBytes largest invoke payload / parameters; default 1048576 (1 MB)
   * @param invocationsPerMinute per namespace; default 600000
   * @param concurrentInvocations per namespace, in flight; default 10000
   * @param firesPerMinute trigger fires per namespace; default 60000
   * @param localMemoryMb memory the local executor's runtimes may use together; default 2048
   * @param drainSeconds on shutdown, how long to wait for activations in flight; the rest stay
   *     pending and are re-dispatched at the next start; default 10
   * @param maxChainDepth how deep a chain of activations started by activations' own keys (an
   *     action firing a trigger whose rule runs it again, or invoking an action) may go; deeper
   *     calls are refused (429) and recorded with the reason; default 10
   * @param localUnsandboxedNamespace the local executor's single-tenant opt-out: when bubblewrap
   *     does not work here, the one namespace whose actions it runs (unsandboxed); unset, it then
   *     runs none
   * @param tls {@code api.tls}: HTTPS for the API and WSS for the pilots when a certificate and key
   *     are given
   * @param url the API's base URL as actions on the compute nodes reach it ({@code __OW_API_HOST},
   *     e.g. {@code https://login1.cluster:3233}); default {@code http://} ({@code https://} with
   *     TLS) and the first address of {@code host} that is not loopback (else the first) with the
   *     bound port
   * @param maxActionTimeoutSeconds the largest {@code limits.timeout} an action may ask for, in
   *     seconds; default 300 (OpenWhisk's 5 minutes), at most 1209600 (14 days)
   */
  public record Api(
      String host,
      Integer port,
      Boolean guest,
      String executor,
      Integer blockingWaitSeconds,
      Long maxPayloadBytes,
      Integer invocationsPerMinute,
      Integer concurrentInvocations,
      Integer firesPerMinute,
      Integer localMemoryMb,
      Integer drainSeconds,
      Integer maxChainDepth,
      String localUnsandboxedNamespace,
      Tls tls,
      String url,
      Integer maxActionTimeoutSeconds)
      implements Copyable<Api> {

    public static final Api DEFAULT =
        new Api(
            null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null);

    /** Without the maximum action timeout (its default). */
    public Api(
        String host,
        Integer port,
        Boolean guest,
        String executor,
        Integer blockingWaitSeconds,
        Long maxPayloadBytes,
        Integer invocationsPerMinute,
        Integer concurrentInvocations,
        Integer firesPerMinute,
        Integer localMemoryMb,
        Integer drainSeconds,
        Integer maxChainDepth,
        String localUnsandboxedNamespace,
        Tls tls,
        String url) {
      this(
          host,
          port,
          guest,
          executor,
          blockingWaitSeconds,
          maxPayloadBytes,
          invocationsPerMinute,
          concurrentInvocations,
          firesPerMinute,
          localMemoryMb,
          drainSeconds,
          maxChainDepth,
          localUnsandboxedNamespace,
          tls,
          url,
          null);
    }

    /** Without the actions' API URL and the maximum action timeout (their defaults). */
    public Api(
        String host,
        Integer port,
        Boolean guest,
        String executor,
        Integer blockingWaitSeconds,
        Long maxPayloadBytes,
        Integer invocationsPerMinute,
        Integer concurrentInvocations,
        Integer firesPerMinute,
        Integer localMemoryMb,
        Integer drainSeconds,
        Integer maxChainDepth,
        String localUnsandboxedNamespace,
        Tls tls) {
      this(
          host,
          port,
          guest,
          executor,
          blockingWaitSeconds,
          maxPayloadBytes,
          invocationsPerMinute,
          concurrentInvocations,
          firesPerMinute,
          localMemoryMb,
          drainSeconds,
          maxChainDepth,
          localUnsandboxedNamespace,
          tls,
          null);
    }

    /** Without TLS. */
    public Api(
        String host,
        Integer port,
        Boolean guest,
        String executor,
        Integer blockingWaitSeconds,
        Long maxPayloadBytes,
        Integer invocationsPerMinute,
        Integer concurrentInvocations,
        Integer firesPerMinute,
        Integer localMemoryMb,
        Integer drainSeconds,
        Integer maxChainDepth,
        String localUnsandboxedNamespace) {
      this(
          host,
          port,
          guest,
          executor,
          blockingWaitSeconds,
          maxPayloadBytes,
          invocationsPerMinute,
          concurrentInvocations,
          firesPerMinute,
          localMemoryMb,
          drainSeconds,
          maxChainDepth,
          localUnsandboxedNamespace,
          null);
    }

    /**
     * Without {@code maxChainDepth} and the local executor's single-tenant opt-out (their
     * defaults).
     */
    public Api(
        String host,
        Integer port,
        Boolean guest,
        String executor,
        Integer blockingWaitSeconds,
        Long maxPayloadBytes,
        Integer invocationsPerMinute,
        Integer concurrentInvocations,
        Integer firesPerMinute,
        Integer localMemoryMb,
        Integer drainSeconds) {
      this(
          host,
          port,
          guest,
          executor,
          blockingWaitSeconds,
          maxPayloadBytes,
          invocationsPerMinute,
          concurrentInvocations,
          firesPerMinute,
          localMemoryMb,
          drainSeconds,
          null,
          null);
    }

    public Api {
      host = host == null || host.isBlank() ? "127.0.0.1" : host.strip();
      tls = tls == null ? Tls.NONE : tls;
      Hosts.of("api.host", host);
      port = Check.range("api.port", port, 3233, 0, 65535);
      guest = Check.orDefault(guest, false);
      executor = Check.oneOf("api.executor", executor, "local", "pilots", "local", "none");
      blockingWaitSeconds =
          Check.range("api.blocking-wait-seconds", blockingWaitSeconds, 60, 1, 60);
      maxPayloadBytes =
          Check.range("api.max-payload-bytes", maxPayloadBytes, 1_048_576L, 1, Long.MAX_VALUE);
      invocationsPerMinute =
          Check.range(
              "api.invocations-per-minute", invocationsPerMinute, 600_000, 1, Integer.MAX_VALUE);
      concurrentInvocations =
          Check.range(
              "api.concurrent-invocations", concurrentInvocations, 10_000, 1, Integer.MAX_VALUE);
      firesPerMinute =
          Check.range("api.fires-per-minute", firesPerMinute, 60_000, 1, Integer.MAX_VALUE);
      localMemoryMb =
          Check.range("api.local-memory-mb", localMemoryMb, 2048, 128, Integer.MAX_VALUE);
      drainSeconds = Check.range("api.drain-seconds", drainSeconds, 10, 0, Integer.MAX_VALUE);
      maxChainDepth = Check.range("api.max-chain-depth", maxChainDepth, 10, 0, 1000);
      localUnsandboxedNamespace = Check.blankToNull(localUnsandboxedNamespace);
      maxActionTimeoutSeconds =
          Check.range(
              "api.max-action-timeout-seconds",
              maxActionTimeoutSeconds,
              300,
              1,
              MAX_ACTION_TIMEOUT_CEILING_SECONDS);
      if (guest && Hosts.of("api.host", host).stream().noneMatch(Api::isLoopback)) {
        throw new ConfigException(
            "api.guest",
            "true needs a loopback address (127.x.x.x, ::1, localhost) in api.host: OpenWhisk's"
                + " public guest key is accepted only there, since anyone who can reach the API"
                + " could use it; api.host is '"
                + host
                + "'. Create users with 'hpc-whisk admin user create' instead.");
      }
      url = Check.blankToNull(url);
      if (url != null) {
        url = url.strip();
        String expected = tls.enabled() ? "https" : "http";
        if (!url.matches("https?://[^/\\s?#]+/?")) {
          throw new ConfigException(
              "api.url",
              "'" + url + "' is not an API base URL (expected " + expected + "://HOST:PORT)");
        }
        if (!url.startsWith(expected + "://")) {
          throw new ConfigException(
              "api.url",
              "'"
                  + url
                  + "' does not match the API's scheme (expected "
                  + expected
                  + "://HOST:PORT: api.tls is "
                  + (tls.enabled() ? "set" : "not set")
                  + ")");
        }
        if (url.endsWith("/")) {
          url = url.substring(0, url.length() - 1);
        }
      }
    }

    /** Whether {@code host} is a loopback address, read from its text (no name lookup). */
    public static boolean isLoopbackHost(String host) {
      return isLoopback(host);
    }

    /** Whether {@code host} is a loopback address, read from its text (no name lookup). */
    static boolean isLoopback(String host) {
      String h =
          host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      return h.equals("localhost")
          || h.equals("::1")
          || h.equals("0:0:0:0:0:0:0:1")
          || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    public Api withHost(String h) {
      return with(Api::host, h);
    }

    public Api withPort(int p) {
      return with(Api::port, p);
    }

    public Api withGuest(boolean g) {
      return with(Api::guest, g);
    }

    public Api withExecutor(String e) {
      return with(Api::executor, e);
    }

    public Api withDrainSeconds(int seconds) {
      return with(Api::drainSeconds, seconds);
    }

    public Api withMaxChainDepth(int depth) {
      return with(Api::maxChainDepth, depth);
    }

    public Api withLocalUnsandboxedNamespace(String namespace) {
      return with(Api::localUnsandboxedNamespace, namespace);
    }

    public Api withRates(int perMinute, int concurrent, int fires) {
      return with(Api::invocationsPerMinute, perMinute)
          .with(Api::concurrentInvocations, concurrent)
          .with(Api::firesPerMinute, fires);
    }

    /** The most {@code api.max-action-timeout-seconds} may be: 14 days. */
    public static final int MAX_ACTION_TIMEOUT_CEILING_SECONDS = 14 * 24 * 3600;

    public Api withMaxActionTimeoutSeconds(int seconds) {
      return with(Api::maxActionTimeoutSeconds, seconds);
    }

    public Api withTls(Tls t) {
      return with(Api::tls, t);
    }

    public Api withUrl(String u) {
      return with(Api::url, u);
    }

    /** The addresses of {@code api.host}, in the order given. */
    public List<String> hosts() {
      return Hosts.of("api.host", host);
    }

    /** {@code https} with TLS, else {@code http}. */
    public String scheme() {
      return tls.enabled() ? "https" : "http";
    }
  }

  /**
   * Splits a comma-separated list of addresses ({@code api.host}, {@code balancer.host}): each an
   * IPv4 or IPv6 address or a host name, none repeated, at least one.
   */
  public static List<String> hostsOf(String key, String text) {
    return Hosts.of(key, text);
  }

  /**
   * {@code api.tls}: the server's certificate and key in PEM; with both, the API is HTTPS and the
   * pilots' port WSS. The files are read again when they change (checked every {@code
   * reload-seconds}), so a renewed certificate is served without a restart; a change that cannot be
   * read (half-written, key not matching) keeps the old one and is logged.
   *
   * @param certificate the server's certificate (PEM), optionally followed by its intermediate CA
   *     certificates
   * @param key its private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; unencrypted); must be readable
   *     by this account only (mode 0600 or 0400) and owned by it, else the server refuses to start
   * @param chain optional further intermediate CA certificates (PEM), served after the certificate
   * @param reloadSeconds how often the files are checked for a change (1..3600); default 10
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record Tls(String certificate, String key, String chain, Integer reloadSeconds) {
    public static final Tls NONE = new Tls(null, null, null, null);

    public Tls {
      certificate = certificate == null || certificate.isBlank() ? null : certificate.strip();
      key = key == null || key.isBlank() ? null : key.strip();
      chain = chain == null || chain.isBlank() ? null : chain.strip();
      reloadSeconds = reloadSeconds == null ? 10 : reloadSeconds;
      if ((certificate == null) != (key == null)) {
        throw new ConfigException(
            "api.tls",
            "needs both certificate and key (PEM files), got "
                + (certificate == null ? "only key" : "only certificate"));
      }
      if (chain != null && certificate == null) {
        throw new ConfigException(
            "api.tls.chain", "is set without api.tls.certificate and api.tls.key");
      }
      if (reloadSeconds < 1 || reloadSeconds > 3600) {
        throw new ConfigException(
            "api.tls.reload-seconds", reloadSeconds + " is out of range (expected 1..3600)");
      }
    }

    /** TLS with these files, checked for changes every {@code reloadSeconds}. */
    public static Tls of(Path certificate, Path key, int reloadSeconds) {
      return new Tls(certificate.toString(), key.toString(), null, reloadSeconds);
    }

    public boolean enabled() {
      return certificate != null;
    }

    public Path certificatePath() {
      return expand(certificate);
    }

    public Path keyPath() {
      return expand(key);
    }

    public Optional<Path> chainPath() {
      return Optional.ofNullable(chain).map(Tls::expand);
    }

    private static Path expand(String p) {
      return p.startsWith("~/")
          ? Path.of(System.getProperty("user.home"), p.substring(2))
          : Path.of(p);
    }
  }

  /**
   * The {@code store.postgres:} section (used with {@code store.kind: postgres}).
   *
   * @param url the JDBC URL, {@code jdbc:postgresql://HOST:PORT/DATABASE} (no password in it)
   * @param user the database user
   * @param passwordFile a file holding the user's password (one line); read at start, refused when
   *     other accounts may read it or it belongs to another account
   * @param poolSize connections in the pool (1..200); default 10
   * @param connectTimeoutMs longest wait for a connection from the pool (250..600000); a request
   *     that cannot get one in time fails (503) instead of hanging; default 5000
   * @param serverStaleMs with several servers over the database: a server whose heartbeat (written
   *     every second) is older than this is gone, and the activations it claimed for other servers
   *     are taken back (1000..600000); default 5000
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record Postgres(
      String url,
      String user,
      String passwordFile,
      Integer poolSize,
      Integer connectTimeoutMs,
      Integer serverStaleMs) {
    public static final Postgres NONE = new Postgres(null, null, null, null, null, null);

    public Postgres(
        String url, String user, String passwordFile, Integer poolSize, Integer connectTimeoutMs) {
      this(url, user, passwordFile, poolSize, connectTimeoutMs, null);
    }

    public Postgres {
      serverStaleMs =
          Check.range("store.postgres.server-stale-ms", serverStaleMs, 5000, 1000, 600_000);
      url = Check.blankToNull(url);
      user = Check.blankToNull(user);
      passwordFile = Check.blankToNull(passwordFile);
      poolSize = Check.range("store.postgres.pool-size", poolSize, 10, 1, 200);
      connectTimeoutMs =
          Check.range("store.postgres.connect-timeout-ms", connectTimeoutMs, 5000, 250, 600_000);
      if (url != null && !url.startsWith("jdbc:postgresql://")) {
        throw new ConfigException(
            "store.postgres.url",
            "'" + url + "' is not a PostgreSQL JDBC URL (expected jdbc:postgresql://HOST:PORT/DB)");
      }
      if (url != null && url.toLowerCase(Locale.ROOT).contains("password=")) {
        // never echo the URL: it may carry the password
        throw new ConfigException(
            "store.postgres.url",
            "carries a password (expected it in store.postgres.password-file, not in the URL)");
      }
    }

    void requireComplete() {
      Check.required("store.postgres.url", url, "a JDBC URL jdbc:postgresql://HOST:PORT/DB");
      Check.required("store.postgres.user", user, "the database user");
      Check.required(
          "store.postgres.password-file", passwordFile, "a file holding the user's password");
    }

    public Path passwordPath() {
      return passwordFile.startsWith("~/")
          ? Path.of(System.getProperty("user.home"), passwordFile.substring(2))
          : Path.of(passwordFile);
    }
  }

  /**
   * The {@code balancer:} section: the balancer's side of the pilots ({@code api.executor:
   * pilots}).
   *
   * @param heartbeatMs heartbeat interval asked of pilots (1..1000); default 500
   * @param offlineAfterMs silence after which a pilot is offline and its work re-dispatched;
   *     default 3000
   * @param ackTimeoutMs an activation sent to a pilot must be acknowledged within this; default
   *     2000
   * @param leaseSlackMs an acknowledged activation must end within its timeout plus this; default
   *     10000
   * @param maxQueued activations waiting for a pilot, all namespaces together; default 100000
   * @param queueWaitSeconds how long an activation may wait for a pilot before it ends in a whisk
   *     error; default 60
   * @param maxAttempts how many times a started, retry-safe activation may be started; default 3
   * @param verifyJobs {@code slurm}: before a pilot is admitted, {@code squeue} must show its job
   *     RUNNING in the pilot partition, as the pilot user, on the node the pilot names; {@code
   *     none}: no such check (only for pilots outside Slurm: tests, benchmarks; logged at start);
   *     default slurm
   * @param pilotPartition the harvest partition pilots must run in; default: {@code
   *     slurm.partition} of the harvest configuration (required with {@code verify-jobs: slurm}
   *     when the server runs without one)
   * @param pilotUser the account pilot jobs must belong to; default: the server's own account
   * @param tokenDir where the controller writes each pilot job's credential file (mode 0600; the
   *     directory 0700): must be on a file system the compute nodes share; default {@code
   *     DATA_DIR/pilot-tokens}
   * @param port the port pilots connect to ({@code ws://HOST:PORT/pilot/v1}, on the API's host): a
   *     connector with its own threads that serves only the pilot endpoint, so no API load delays
   *     heartbeats or results; 0..65535, 0 for any free port; default {@code api.port + 1} (0 when
   *     {@code api.port} is 0)
   * @param host the address(es) the pilots' connector binds, comma-separated; default {@code
   *     api.host}
   * @param url the URL pilot jobs are given ({@code HPC_WHISK_BALANCER_URL}): how the compute nodes
   *     reach this server, e.g. {@code wss://login1.cluster:3234/pilot/v1}; default {@code ws://}
   *     ({@code wss://} with {@code api.tls}) and the first address of {@code balancer.host} that
   *     is not loopback (else its first) with the bound pilot port
   * @param caFile the CA certificate (PEM) pilot jobs are told to verify the server's certificate
   *     against ({@code HPC_WHISK_BALANCER_CA_FILE}; on a file system the nodes share); default
   *     none: pilots then need {@code pilot.ca-file} in their own configuration to connect to a
   *     {@code wss://} URL
   */
  public record Pilots(
      Integer heartbeatMs,
      Integer offlineAfterMs,
      Integer ackTimeoutMs,
      Integer leaseSlackMs,
      Integer maxQueued,
      Integer queueWaitSeconds,
      Integer maxAttempts,
      String verifyJobs,
      String pilotPartition,
      String pilotUser,
      String tokenDir,
      Integer port,
      String host,
      String url,
      String caFile)
      implements Copyable<Pilots> {
    public static final Pilots DEFAULT = new Pilots(null, null, null, null, null, null, null);

    /** Without the pilots' own host, URL and CA file (their defaults). */
    public Pilots(
        Integer heartbeatMs,
        Integer offlineAfterMs,
        Integer ackTimeoutMs,
        Integer leaseSlackMs,
        Integer maxQueued,
        Integer queueWaitSeconds,
        Integer maxAttempts,
        String verifyJobs,
        String pilotPartition,
        String pilotUser,
        String tokenDir,
        Integer port) {
      this(
          heartbeatMs,
          offlineAfterMs,
          ackTimeoutMs,
          leaseSlackMs,
          maxQueued,
          queueWaitSeconds,
          maxAttempts,
          verifyJobs,
          pilotPartition,
          pilotUser,
          tokenDir,
          port,
          null,
          null,
          null);
    }

    /** The dispatch settings, with pilot verification and token directory at their defaults. */
    public Pilots(
        Integer heartbeatMs,
        Integer offlineAfterMs,
        Integer ackTimeoutMs,
        Integer leaseSlackMs,
        Integer maxQueued,
        Integer queueWaitSeconds,
        Integer maxAttempts) {
      this(
          heartbeatMs,
          offlineAfterMs,
          ackTimeoutMs,
          leaseSlackMs,
          maxQueued,
          queueWaitSeconds,
          maxAttempts,
          null,
          null,
          null,
          null,
          null);
    }

    public Pilots {
      verifyJobs = Check.oneOf("balancer.verify-jobs", verifyJobs, "slurm", "slurm", "none");
      pilotUser =
          pilotUser == null || pilotUser.isBlank() ? System.getProperty("user.name") : pilotUser;
      pilotPartition = Check.blankToNull(pilotPartition);
      tokenDir = Check.blankToNull(tokenDir);
      host = Check.blankToNull(host);
      if (host != null) {
        host = host.strip();
        Hosts.of("balancer.host", host);
      }
      url = Check.blankToNull(url);
      // several servers over one database: their URLs, comma-separated, each checked
      if (url != null
          && !url.strip()
              .matches("wss?://[^/\\s,]+(/[^\\s,]*)?(\\s*,\\s*wss?://[^/\\s,]+(/[^\\s,]*)?)*")) {
        throw new ConfigException(
            "balancer.url",
            "'"
                + url
                + "' is not a pilot URL (expected ws://HOST:PORT/pilot/v1"
                + " or wss://HOST:PORT/pilot/v1, or several separated by commas)");
      }
      url = url == null ? null : url.strip();
      caFile = Check.blankToNull(caFile);
      port =
          port == null
              ? null
              : Check.range("balancer.port", port, 0, 0, 65535); // null: api.port + 1
      heartbeatMs = Check.range("balancer.heartbeat-ms", heartbeatMs, 500, 1, 1000);
      offlineAfterMs =
          Check.range(
              "balancer.offline-after-ms",
              offlineAfterMs,
              3000,
              heartbeatMs + 1,
              Integer.MAX_VALUE); // more than heartbeat-ms
      ackTimeoutMs =
          Check.range("balancer.ack-timeout-ms", ackTimeoutMs, 2000, 1, Integer.MAX_VALUE);
      leaseSlackMs =
          Check.range("balancer.lease-slack-ms", leaseSlackMs, 10_000, 0, Integer.MAX_VALUE);
      maxQueued = Check.range("balancer.max-queued", maxQueued, 100_000, 1, Integer.MAX_VALUE);
      queueWaitSeconds =
          Check.range("balancer.queue-wait-seconds", queueWaitSeconds, 60, 1, Integer.MAX_VALUE);
      maxAttempts = Check.range("balancer.max-attempts", maxAttempts, 3, 1, Integer.MAX_VALUE);
    }

    public Pilots withQueueWaitSeconds(int seconds) {
      return with(Pilots::queueWaitSeconds, seconds);
    }

    /** With pilot verification {@code slurm} (in {@code partition}) or {@code none}. */
    public Pilots withVerifyJobs(String mode, String partition) {
      return with(Pilots::verifyJobs, mode).with(Pilots::pilotPartition, partition);
    }

    public Pilots withTokenDir(String dir) {
      return with(Pilots::tokenDir, dir);
    }

    /** With the pilots' port ({@code null}: {@code api.port + 1}). */
    public Pilots withPort(Integer p) {
      return with(Pilots::port, p);
    }

    /** With the pilots' connector on {@code h} ({@code null}: {@code api.host}). */
    public Pilots withHost(String h) {
      return with(Pilots::host, h);
    }

    /** With the URL and CA file pilot jobs are given ({@code null}: the defaults). */
    public Pilots withUrl(String u, String ca) {
      return with(Pilots::url, u).with(Pilots::caFile, ca);
    }

    /**
     * The token directory: {@code tokenDir} with {@code ~} expanded, or {@code
     * dataDir/pilot-tokens}.
     */
    public Path tokenPath(Path dataDir) {
      if (tokenDir == null) {
        return dataDir.resolve("pilot-tokens");
      }
      return tokenDir.startsWith("~/")
          ? Path.of(System.getProperty("user.home"), tokenDir.substring(2))
          : Path.of(tokenDir);
    }
  }

  public ServerConfig withApi(Api a) {
    return with(ServerConfig::api, a);
  }

  public ServerConfig withStore(StoreConfig s) {
    return with(ServerConfig::store, s);
  }

  public ServerConfig withPilots(Pilots p) {
    return with(ServerConfig::balancer, p);
  }

  public ServerConfig withHttp(HttpConfig h) {
    return with(ServerConfig::http, h);
  }

  /**
   * Reads {@code api:}, {@code store:}, {@code balancer:} and {@code http:} from the YAML file
   * (with {@link ConfigFile}'s limits and permission check); other sections are left to their
   * owners.
   *
   * @throws ConfigException one line naming the key and what was expected
   */
  public static ServerConfig load(Path file) {
    return ConfigBinding.bind(ConfigFile.read(file), "", ServerConfig.class);
  }

  /** As {@link #load(Path)}, from YAML text. */
  public static ServerConfig parse(String yaml) {
    return ConfigBinding.bind(ConfigFile.parse(yaml), "", ServerConfig.class);
  }
}
