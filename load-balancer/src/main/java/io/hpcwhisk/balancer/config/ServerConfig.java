package io.hpcwhisk.balancer.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code api:} and {@code store:} sections of {@code hpc-whisk.yaml}. Missing values take the
 * defaults below; unknown keys inside these sections are errors (a typo should not pass silently).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ServerConfig(Api api, Store store, Pilots balancer, Http http) {

  public ServerConfig {
    api = api == null ? Api.DEFAULT : api;
    store = store == null ? Store.DEFAULT : store;
    balancer = balancer == null ? Pilots.DEFAULT : balancer;
    http = http == null ? Http.DEFAULT : http;
    if (balancer.port() != null && balancer.port() != 0 && balancer.port().equals(api.port())) {
      throw new IllegalArgumentException("balancer.port must differ from api.port (both " + api.port()
          + "): pilots get their own port");
    }
  }

  /**
   * The port of the pilots' own connector: {@code balancer.port}, else {@code api.port + 1}, else 0 (any free
   * port) when {@code api.port} is 0.
   */
  public int pilotPort() {
    if (balancer.port() != null) {
      return balancer.port();
    }
    if (api.port() == 65535) {
      throw new IllegalArgumentException("balancer.port defaults to api.port + 1, and api.port is 65535:"
          + " set balancer.port (0..65535, 0 for any free port)");
    }
    return api.port() == 0 ? 0 : api.port() + 1;
  }

  /** The addresses the pilots' connector binds: {@code balancer.host}, else {@code api.host}. */
  public java.util.List<String> pilotHosts() {
    return balancer.host() != null ? hostsOf("balancer.host", balancer.host()) : api.hosts();
  }

  public ServerConfig(Api api, Store store) {
    this(api, store, null, null);
  }

  public ServerConfig(Api api, Store store, Pilots balancer) {
    this(api, store, balancer, null);
  }

  public static final ServerConfig DEFAULT = new ServerConfig(null, null, null, null);

  /**
   * The {@code http:} section: how the API's HTTP server protects itself from slow and greedy clients.
   *
   * @param bodyDeadlineSeconds a request body must have arrived completely this long after its headers, else
   *     408 and the connection is closed; default 60
   * @param minBodyBytesPerSecond after the first {@code body-grace-seconds}, a body must arrive at least this
   *     fast on average, else 408 and the connection is closed; 0 turns the check off; default 1024
   * @param bodyGraceSeconds how long a body may arrive slower than the minimum rate at its start; default 5
   * @param bodiesPerKey requests with a body still arriving, per API key; the next one gets 429; default 16
   * @param idleTimeoutSeconds Jetty's connector idle timeout: a connection with no traffic in either direction
   *     for this long is closed; default 30 (Jetty's own default, unchanged)
   * @param maxThreads the HTTP server's thread pool (API requests and pilot WebSocket frames); default 200
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record Http(Integer bodyDeadlineSeconds, Integer minBodyBytesPerSecond, Integer bodyGraceSeconds,
      Integer bodiesPerKey, Integer idleTimeoutSeconds, Integer maxThreads) {
    public static final Http DEFAULT = new Http(null, null, null, null, null, null);

    public Http {
      bodyDeadlineSeconds = bodyDeadlineSeconds == null ? 60 : bodyDeadlineSeconds;
      minBodyBytesPerSecond = minBodyBytesPerSecond == null ? 1024 : minBodyBytesPerSecond;
      bodyGraceSeconds = bodyGraceSeconds == null ? 5 : bodyGraceSeconds;
      bodiesPerKey = bodiesPerKey == null ? 16 : bodiesPerKey;
      idleTimeoutSeconds = idleTimeoutSeconds == null ? 30 : idleTimeoutSeconds;
      maxThreads = maxThreads == null ? 200 : maxThreads;
      if (bodyDeadlineSeconds < 1 || minBodyBytesPerSecond < 0 || bodyGraceSeconds < 0 || bodiesPerKey < 1
          || idleTimeoutSeconds < 1 || maxThreads < 16) {
        throw new IllegalArgumentException("http: body-deadline-seconds, bodies-per-key and idle-timeout-seconds must"
            + " be positive, min-body-bytes-per-second and body-grace-seconds at least 0, max-threads at least 16;"
            + " got " + this);
      }
    }
  }

  /**
   * The HTTP API.
   *
   * @param host address to bind; default {@code 127.0.0.1} (loopback only)
   * @param port default 3233, as OpenWhisk's standalone server; 0 picks a free port
   * @param guest provide the {@code guest} namespace with OpenWhisk's well-known (public) key, with any
   *     executor ({@code hpc-whisk up} uses it with pilots); only on a loopback {@code host}, since anyone who
   *     can reach the API could use the namespace; default false
   * @param executor {@code pilots} (route to pilot jobs that register on {@code /pilot/v1}), {@code local}
   *     (run actions in runtimes on this machine) or {@code none}; default local (a server without a
   *     configuration file runs alone); the shipped cluster configuration sets {@code pilots}
   * @param blockingWaitSeconds how long a blocking invoke waits before answering 202; default 60
   * @param maxPayloadBytes largest invoke payload / parameters; default 1048576 (1 MB)
   * @param invocationsPerMinute per namespace; default 600000
   * @param concurrentInvocations per namespace, in flight; default 10000
   * @param firesPerMinute trigger fires per namespace; default 60000
   * @param localMemoryMb memory the local executor's runtimes may use together; default 2048
   * @param drainSeconds on shutdown, how long to wait for activations in flight; the rest stay pending
   *     and are re-dispatched at the next start; default 10
   * @param maxChainDepth how deep a chain of activations started by activations' own keys (an action
   *     firing a trigger whose rule runs it again, or invoking an action) may go; deeper calls are refused
   *     (429) and recorded with the reason; default 10
   * @param localUnsandboxedNamespace the local executor's single-tenant opt-out: when bubblewrap does not
   *     work here, the one namespace whose actions it runs (unsandboxed); unset, it then runs none
   * @param tls {@code api.tls}: HTTPS for the API and WSS for the pilots when a certificate and key are given
   */
  public record Api(String host, Integer port, Boolean guest, String executor, Integer blockingWaitSeconds,
      Long maxPayloadBytes, Integer invocationsPerMinute, Integer concurrentInvocations, Integer firesPerMinute,
      Integer localMemoryMb, Integer drainSeconds, Integer maxChainDepth,
      String localUnsandboxedNamespace, Tls tls) {

    public static final Api DEFAULT = new Api(null, null, null, null, null, null, null, null, null, null, null, null,
        null, null);

    /** Without TLS. */
    public Api(String host, Integer port, Boolean guest, String executor, Integer blockingWaitSeconds,
        Long maxPayloadBytes, Integer invocationsPerMinute, Integer concurrentInvocations, Integer firesPerMinute,
        Integer localMemoryMb, Integer drainSeconds, Integer maxChainDepth, String localUnsandboxedNamespace) {
      this(host, port, guest, executor, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, drainSeconds, maxChainDepth, localUnsandboxedNamespace,
          null);
    }

    /** Without {@code maxChainDepth} and the local executor's single-tenant opt-out (their defaults). */
    public Api(String host, Integer port, Boolean guest, String executor, Integer blockingWaitSeconds,
        Long maxPayloadBytes, Integer invocationsPerMinute, Integer concurrentInvocations, Integer firesPerMinute,
        Integer localMemoryMb, Integer drainSeconds) {
      this(host, port, guest, executor, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, drainSeconds, null, null);
    }

    public Api {
      host = host == null || host.isBlank() ? "127.0.0.1" : host.strip();
      tls = tls == null ? Tls.NONE : tls;
      hostsOf("api.host", host);
      port = port == null ? 3233 : port;
      guest = guest != null && guest;
      executor = executor == null ? "local" : executor;
      blockingWaitSeconds = blockingWaitSeconds == null ? 60 : blockingWaitSeconds;
      maxPayloadBytes = maxPayloadBytes == null ? 1_048_576L : maxPayloadBytes;
      invocationsPerMinute = invocationsPerMinute == null ? 600_000 : invocationsPerMinute;
      concurrentInvocations = concurrentInvocations == null ? 10_000 : concurrentInvocations;
      firesPerMinute = firesPerMinute == null ? 60_000 : firesPerMinute;
      localMemoryMb = localMemoryMb == null ? 2048 : localMemoryMb;
      drainSeconds = drainSeconds == null ? 10 : drainSeconds;
      maxChainDepth = maxChainDepth == null ? 10 : maxChainDepth;
      if (maxChainDepth < 0 || maxChainDepth > 1000) {
        throw new IllegalArgumentException("api.max-chain-depth must be 0..1000, got " + maxChainDepth);
      }
      localUnsandboxedNamespace = localUnsandboxedNamespace == null || localUnsandboxedNamespace.isBlank()
          ? null : localUnsandboxedNamespace.strip();
      if (drainSeconds < 0) {
        throw new IllegalArgumentException("api.drain-seconds must be >= 0, got " + drainSeconds);
      }
      if (localMemoryMb < 128) {
        throw new IllegalArgumentException("api.local-memory-mb must be at least 128, got " + localMemoryMb);
      }
      if (guest && !hostsOf("api.host", host).stream().allMatch(Api::isLoopback)) {
        throw new IllegalArgumentException("api.guest (--guest) gives everyone who can reach the API OpenWhisk's"
            + " public guest key, so it is allowed only on a loopback address (127.x.x.x, ::1, localhost);"
            + " api.host is '" + host + "'. Create users with 'hpc-whisk admin user create' instead.");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("api.port must be 0..65535, got " + port);
      }
      if (!executor.equals("local") && !executor.equals("none") && !executor.equals("pilots")) {
        throw new IllegalArgumentException(
            "api.executor must be 'pilots', 'local' or 'none', got '" + executor + "'");
      }
      if (blockingWaitSeconds < 1 || blockingWaitSeconds > 60) {
        throw new IllegalArgumentException("api.blocking-wait-seconds must be 1..60, got " + blockingWaitSeconds);
      }
      if (maxPayloadBytes < 1 || invocationsPerMinute < 1 || concurrentInvocations < 1 || firesPerMinute < 1) {
        throw new IllegalArgumentException("api limits must be positive");
      }
    }

    /** Whether {@code host} is a loopback address, read from its text (no name lookup). */
    public static boolean isLoopbackHost(String host) {
      return isLoopback(host);
    }

    /** Whether {@code host} is a loopback address, read from its text (no name lookup). */
    static boolean isLoopback(String host) {
      String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
          || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    public Api withHost(String h) {
      return new Api(h, port, guest, executor, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, drainSeconds, maxChainDepth, localUnsandboxedNamespace, tls);
    }

    public Api withPort(int p) {
      return new Api(host, p, guest, executor, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, drainSeconds, maxChainDepth, localUnsandboxedNamespace, tls);
    }

    public Api withGuest(boolean g) {
      return new Api(host, port, g, executor, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, drainSeconds, maxChainDepth, localUnsandboxedNamespace, tls);
    }

    public Api withExecutor(String e) {
      return new Api(host, port, guest, e, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, drainSeconds, maxChainDepth, localUnsandboxedNamespace, tls);
    }

    public Api withDrainSeconds(int seconds) {
      return new Api(host, port, guest, executor, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, seconds, maxChainDepth, localUnsandboxedNamespace, tls);
    }

    public Api withMaxChainDepth(int depth) {
      return new Api(host, port, guest, executor, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, drainSeconds, depth, localUnsandboxedNamespace, tls);
    }

    public Api withLocalUnsandboxedNamespace(String namespace) {
      return new Api(host, port, guest, executor, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, drainSeconds, maxChainDepth, namespace, tls);
    }

    public Api withRates(int perMinute, int concurrent, int fires) {
      return new Api(host, port, guest, executor, blockingWaitSeconds, maxPayloadBytes, perMinute, concurrent, fires,
          localMemoryMb, drainSeconds, maxChainDepth, localUnsandboxedNamespace, tls);
    }

    public Api withTls(Tls t) {
      return new Api(host, port, guest, executor, blockingWaitSeconds, maxPayloadBytes, invocationsPerMinute,
          concurrentInvocations, firesPerMinute, localMemoryMb, drainSeconds, maxChainDepth, localUnsandboxedNamespace,
          t);
    }

    /** The addresses of {@code api.host}, in the order given. */
    public java.util.List<String> hosts() {
      return hostsOf("api.host", host);
    }

    /** {@code https} with TLS, else {@code http}. */
    public String scheme() {
      return tls.enabled() ? "https" : "http";
    }
  }

  /**
   * Splits a comma-separated list of addresses ({@code api.host}, {@code balancer.host}): each an IPv4 or IPv6
   * address or a host name, none repeated, at least one.
   */
  public static java.util.List<String> hostsOf(String key, String text) {
    java.util.List<String> hosts = new java.util.ArrayList<>();
    for (String part : text.split(",", -1)) {
      String h = part.strip();
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      if (h.isEmpty() || !h.matches("[A-Za-z0-9.:%_-]+")) {
        throw new IllegalArgumentException(key + " '" + text + "': expected one or more addresses separated by"
            + " commas (e.g. 127.0.0.1,10.20.0.1), got the entry '" + part.strip() + "'");
      }
      if (hosts.contains(h)) {
        throw new IllegalArgumentException(key + " '" + text + "' names " + h + " twice");
      }
      hosts.add(h);
    }
    return java.util.List.copyOf(hosts);
  }

  /**
   * {@code api.tls}: the server's certificate and key in PEM; with both, the API is HTTPS and the pilots' port WSS.
   * The files are read again when they change (checked every {@code reload-seconds}), so a renewed certificate is
   * served without a restart; a change that cannot be read (half-written, key not matching) keeps the old one and
   * is logged.
   *
   * @param certificate the server's certificate (PEM), optionally followed by its intermediate CA certificates
   * @param key its private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; unencrypted); must be readable by this
   *     account only (mode 0600 or 0400) and owned by it, else the server refuses to start
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
        throw new IllegalArgumentException("api.tls needs both certificate and key (PEM files), got "
            + (certificate == null ? "only key" : "only certificate"));
      }
      if (chain != null && certificate == null) {
        throw new IllegalArgumentException("api.tls.chain is set without api.tls.certificate and api.tls.key");
      }
      if (reloadSeconds < 1 || reloadSeconds > 3600) {
        throw new IllegalArgumentException("api.tls.reload-seconds must be 1..3600, got " + reloadSeconds);
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

    public java.util.Optional<Path> chainPath() {
      return java.util.Optional.ofNullable(chain).map(Tls::expand);
    }

    private static Path expand(String p) {
      return p.startsWith("~/") ? Path.of(System.getProperty("user.home"), p.substring(2)) : Path.of(p);
    }
  }

  /**
   * The embedded store.
   *
   * @param dataDir directory of the store and identities; default {@code ~/.hpc-whisk/data}
   * @param activationRetentionHours activation records older than this are deleted; default 168 (7 days)
   * @param namespaceQuotaMb what one namespace may keep in the store as pending payloads and activation
   *     records (within the retention); invocations and fires above it are refused (429); default 1024
   */
  public record Store(String dataDir, Integer activationRetentionHours, Long namespaceQuotaMb) {
    public static final Store DEFAULT = new Store(null, null, null);

    /** With the default quota. */
    public Store(String dataDir, Integer activationRetentionHours) {
      this(dataDir, activationRetentionHours, null);
    }

    public Store {
      dataDir = dataDir == null ? "~/.hpc-whisk/data" : dataDir;
      activationRetentionHours = activationRetentionHours == null ? 168 : activationRetentionHours;
      namespaceQuotaMb = namespaceQuotaMb == null ? 1024L : namespaceQuotaMb;
      if (namespaceQuotaMb < 1) {
        throw new IllegalArgumentException("store.namespace-quota-mb must be >= 1, got " + namespaceQuotaMb);
      }
      if (activationRetentionHours < 1) {
        throw new IllegalArgumentException("store.activation-retention-hours must be >= 1, got "
            + activationRetentionHours);
      }
    }

    /** The data directory with {@code ~} expanded. */
    public Path dataPath() {
      return dataDir.startsWith("~/") ? Path.of(System.getProperty("user.home"), dataDir.substring(2)) : Path.of(dataDir);
    }

    public Store withDataDir(String dir) {
      return new Store(dir, activationRetentionHours, namespaceQuotaMb);
    }

    public Store withNamespaceQuotaMb(long mb) {
      return new Store(dataDir, activationRetentionHours, mb);
    }

    /** The quota in bytes. */
    public long namespaceQuotaBytes() {
      return namespaceQuotaMb * 1024 * 1024;
    }
  }

  /**
   * The {@code balancer:} section: the balancer's side of the pilots ({@code api.executor: pilots}).
   *
   * @param heartbeatMs heartbeat interval asked of pilots (1..1000); default 500
   * @param offlineAfterMs silence after which a pilot is offline and its work re-dispatched; default 3000
   * @param ackTimeoutMs an activation sent to a pilot must be acknowledged within this; default 2000
   * @param leaseSlackMs an acknowledged activation must end within its timeout plus this; default 10000
   * @param maxQueued activations waiting for a pilot, all namespaces together; default 100000
   * @param queueWaitSeconds how long an activation may wait for a pilot before it ends in a whisk error; default 60
   * @param maxAttempts how many times a started, retry-safe activation may be started; default 3
   * @param verifyJobs {@code slurm}: before a pilot is admitted, {@code squeue} must show its job RUNNING in the
   *     pilot partition, as the pilot user, on the node the pilot names; {@code none}: no such check (only for
   *     pilots outside Slurm: tests, benchmarks; logged at start); default slurm
   * @param pilotPartition the harvest partition pilots must run in; default: {@code slurm.partition} of the
   *     harvest configuration (required with {@code verify-jobs: slurm} when the server runs without one)
   * @param pilotUser the account pilot jobs must belong to; default: the server's own account
   * @param tokenDir where the controller writes each pilot job's credential file (mode 0600; the directory
   *     0700): must be on a file system the compute nodes share; default {@code DATA_DIR/pilot-tokens}
   * @param port the port pilots connect to ({@code ws://HOST:PORT/pilot/v1}, on the API's host): a connector with
   *     its own threads that serves only the pilot endpoint, so no API load delays heartbeats or results;
   *     0..65535, 0 for any free port; default {@code api.port + 1} (0 when {@code api.port} is 0)
   * @param host the address(es) the pilots' connector binds, comma-separated; default {@code api.host}
   * @param url the URL pilot jobs are given ({@code HPC_WHISK_BALANCER_URL}): how the compute nodes reach this
   *     server, e.g. {@code wss://login1.cluster:3234/pilot/v1}; default {@code ws://} ({@code wss://} with
   *     {@code api.tls}) and the first address of {@code balancer.host} that is not loopback (else its first)
   *     with the bound pilot port
   * @param caFile the CA certificate (PEM) pilot jobs are told to verify the server's certificate against
   *     ({@code HPC_WHISK_BALANCER_CA_FILE}; on a file system the nodes share); default none: pilots then need
   *     {@code pilot.ca-file} in their own configuration to connect to a {@code wss://} URL
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record Pilots(Integer heartbeatMs, Integer offlineAfterMs, Integer ackTimeoutMs, Integer leaseSlackMs,
      Integer maxQueued, Integer queueWaitSeconds, Integer maxAttempts, String verifyJobs, String pilotPartition,
      String pilotUser, String tokenDir, Integer port, String host, String url, String caFile) {
    public static final Pilots DEFAULT = new Pilots(null, null, null, null, null, null, null);

    /** Without the pilots' own host, URL and CA file (their defaults). */
    public Pilots(Integer heartbeatMs, Integer offlineAfterMs, Integer ackTimeoutMs, Integer leaseSlackMs,
        Integer maxQueued, Integer queueWaitSeconds, Integer maxAttempts, String verifyJobs, String pilotPartition,
        String pilotUser, String tokenDir, Integer port) {
      this(heartbeatMs, offlineAfterMs, ackTimeoutMs, leaseSlackMs, maxQueued, queueWaitSeconds, maxAttempts,
          verifyJobs, pilotPartition, pilotUser, tokenDir, port, null, null, null);
    }

    /** The dispatch settings, with pilot verification and token directory at their defaults. */
    public Pilots(Integer heartbeatMs, Integer offlineAfterMs, Integer ackTimeoutMs, Integer leaseSlackMs,
        Integer maxQueued, Integer queueWaitSeconds, Integer maxAttempts) {
      this(heartbeatMs, offlineAfterMs, ackTimeoutMs, leaseSlackMs, maxQueued, queueWaitSeconds, maxAttempts, null,
          null, null, null, null);
    }

    public Pilots {
      verifyJobs = verifyJobs == null ? "slurm" : verifyJobs;
      pilotUser = pilotUser == null || pilotUser.isBlank() ? System.getProperty("user.name") : pilotUser;
      pilotPartition = pilotPartition == null || pilotPartition.isBlank() ? null : pilotPartition;
      tokenDir = tokenDir == null || tokenDir.isBlank() ? null : tokenDir;
      host = host == null || host.isBlank() ? null : host.strip();
      if (host != null) {
        hostsOf("balancer.host", host);
      }
      url = url == null || url.isBlank() ? null : url.strip();
      if (url != null && !url.matches("wss?://[^/\\s]+(/\\S*)?")) {
        throw new IllegalArgumentException("balancer.url '" + url + "': expected ws://HOST:PORT/pilot/v1 or"
            + " wss://HOST:PORT/pilot/v1");
      }
      caFile = caFile == null || caFile.isBlank() ? null : caFile.strip();
      if (port != null && (port < 0 || port > 65535)) {
        throw new IllegalArgumentException("balancer.port must be 0..65535 (0 for any free port), got " + port);
      }
      if (!verifyJobs.equals("slurm") && !verifyJobs.equals("none")) {
        throw new IllegalArgumentException("balancer.verify-jobs must be 'slurm' or 'none', got '" + verifyJobs + "'");
      }
      heartbeatMs = heartbeatMs == null ? 500 : heartbeatMs;
      offlineAfterMs = offlineAfterMs == null ? 3000 : offlineAfterMs;
      ackTimeoutMs = ackTimeoutMs == null ? 2000 : ackTimeoutMs;
      leaseSlackMs = leaseSlackMs == null ? 10_000 : leaseSlackMs;
      maxQueued = maxQueued == null ? 100_000 : maxQueued;
      queueWaitSeconds = queueWaitSeconds == null ? 60 : queueWaitSeconds;
      maxAttempts = maxAttempts == null ? 3 : maxAttempts;
      if (heartbeatMs < 1 || heartbeatMs > 1000) {
        throw new IllegalArgumentException("balancer.heartbeat-ms must be 1..1000, got " + heartbeatMs);
      }
      if (offlineAfterMs <= heartbeatMs || ackTimeoutMs < 1 || leaseSlackMs < 0 || maxQueued < 1
          || queueWaitSeconds < 1 || maxAttempts < 1) {
        throw new IllegalArgumentException("balancer: offline-after-ms must exceed heartbeat-ms and the other values"
            + " must be positive, got " + this);
      }
    }

    public Pilots withQueueWaitSeconds(int seconds) {
      return new Pilots(heartbeatMs, offlineAfterMs, ackTimeoutMs, leaseSlackMs, maxQueued, seconds, maxAttempts,
          verifyJobs, pilotPartition, pilotUser, tokenDir, port, host, url, caFile);
    }

    /** With pilot verification {@code slurm} (in {@code partition}) or {@code none}. */
    public Pilots withVerifyJobs(String mode, String partition) {
      return new Pilots(heartbeatMs, offlineAfterMs, ackTimeoutMs, leaseSlackMs, maxQueued, queueWaitSeconds,
          maxAttempts, mode, partition, pilotUser, tokenDir, port, host, url, caFile);
    }

    public Pilots withTokenDir(String dir) {
      return new Pilots(heartbeatMs, offlineAfterMs, ackTimeoutMs, leaseSlackMs, maxQueued, queueWaitSeconds,
          maxAttempts, verifyJobs, pilotPartition, pilotUser, dir, port, host, url, caFile);
    }

    /** With the pilots' port ({@code null}: {@code api.port + 1}). */
    public Pilots withPort(Integer p) {
      return new Pilots(heartbeatMs, offlineAfterMs, ackTimeoutMs, leaseSlackMs, maxQueued, queueWaitSeconds,
          maxAttempts, verifyJobs, pilotPartition, pilotUser, tokenDir, p, host, url, caFile);
    }

    /** With the pilots' connector on {@code h} ({@code null}: {@code api.host}). */
    public Pilots withHost(String h) {
      return new Pilots(heartbeatMs, offlineAfterMs, ackTimeoutMs, leaseSlackMs, maxQueued, queueWaitSeconds,
          maxAttempts, verifyJobs, pilotPartition, pilotUser, tokenDir, port, h, url, caFile);
    }

    /** With the URL and CA file pilot jobs are given ({@code null}: the defaults). */
    public Pilots withUrl(String u, String ca) {
      return new Pilots(heartbeatMs, offlineAfterMs, ackTimeoutMs, leaseSlackMs, maxQueued, queueWaitSeconds,
          maxAttempts, verifyJobs, pilotPartition, pilotUser, tokenDir, port, host, u, ca);
    }

    /** The token directory: {@code tokenDir} with {@code ~} expanded, or {@code dataDir/pilot-tokens}. */
    public Path tokenPath(Path dataDir) {
      if (tokenDir == null) {
        return dataDir.resolve("pilot-tokens");
      }
      return tokenDir.startsWith("~/") ? Path.of(System.getProperty("user.home"), tokenDir.substring(2))
          : Path.of(tokenDir);
    }
  }

  public ServerConfig withApi(Api a) {
    return new ServerConfig(a, store, balancer, http);
  }

  public ServerConfig withStore(Store s) {
    return new ServerConfig(api, s, balancer, http);
  }

  public ServerConfig withPilots(Pilots p) {
    return new ServerConfig(api, store, p, http);
  }

  public ServerConfig withHttp(Http h) {
    return new ServerConfig(api, store, balancer, h);
  }

  private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
      .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  /** Reads {@code api:}, {@code store:}, {@code balancer:} and {@code http:} from the YAML file; other sections are left to their owners. */
  public static ServerConfig load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("configuration file " + file + " does not exist");
    }
    try {
      ServerConfig c = YAML.readValue(file.toFile(), ServerConfig.class);
      return c == null ? DEFAULT : c;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }
}
