package io.hpcwhisk.app;

import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.tls.LocalCa;
import io.hpcwhisk.balancer.tls.PemFiles;
import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.NodeNetwork;
import io.hpcwhisk.localcluster.SlurmInstallation;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.slurm.workload.SyntheticWorkload;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What {@code hpc-whisk up} starts and stops: a local Slurm cluster, the server (API, balancer,
 * harvest controller with real pilots), the guest's demo actions {@code demo/hello} (Node.js) and
 * {@code demo/hello-py} (Python), in the package {@code demo} so that they leave the guest's own
 * action names free, and a seeded demo batch workload that leaves gaps. {@link #close()} stops, in
 * reverse order, only what this session started: the workload thread, the server (in this JVM), the
 * jobs of its own cluster, and the cluster's daemons by their pid files (when this session started
 * them).
 */
final class UpSession implements AutoCloseable {

  /** What to start. */
  record Settings(
      Path dir,
      int nodes,
      int port,
      String policy,
      long seed,
      boolean workload,
      Duration meanGap,
      Path home,
      boolean isolatedNodes,
      boolean tls,
      String slurmVersion,
      boolean rest) {

    /** With the controller on Slurm's CLI. */
    Settings(
        Path dir,
        int nodes,
        int port,
        String policy,
        long seed,
        boolean workload,
        Duration meanGap,
        Path home,
        boolean isolatedNodes,
        boolean tls,
        String slurmVersion) {
      this(
          dir,
          nodes,
          port,
          policy,
          seed,
          workload,
          meanGap,
          home,
          isolatedNodes,
          tls,
          slurmVersion,
          false);
    }

    /** On loopback, without TLS, on the default Slurm (22.05). */
    Settings(
        Path dir,
        int nodes,
        int port,
        String policy,
        long seed,
        boolean workload,
        Duration meanGap,
        Path home) {
      this(
          dir,
          nodes,
          port,
          policy,
          seed,
          workload,
          meanGap,
          home,
          false,
          false,
          SlurmInstallation.DEFAULT_VERSION);
    }
  }

  static final String BATCH_NAME = "up-batch";
  static final String NODE_HELLO =
      "function main(params) {\n"
          + "  return { greeting: 'Hello, ' + (params.name || 'world') + '!' }\n"
          + "}\n";
  static final String PYTHON_HELLO =
      "def main(args):\n"
          + "    return {'greeting': 'Hello, ' + args.get('name', 'world') + '!'}\n";

  private final Settings settings;
  private final PrintStream out;
  private LocalCluster cluster;
  private boolean startedCluster;
  private SystemServer server;
  private SlurmCli slurm;
  private Thread workload;
  private UpDashboard dashboard;
  private HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private ServerConfig serverConfig;
  private HarvestConfig harvestConfig;

  /** The CA certificate clients trust, with {@code --tls}. */
  private Path caCertificate;

  UpSession(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /** Starts everything; on failure stops what was started and rethrows. */
  void start() throws Exception {
    try {
      Files.createDirectories(settings.dir());
      cluster =
          new LocalCluster(
              settings.dir().resolve("cluster"),
              SlurmInstallation.forVersion(settings.slurmVersion()));
      out.println(
          "hpc-whisk up: starting a local Slurm cluster of "
              + settings.nodes()
              + " nodes in "
              + cluster.dir()
              + " ...");
      startedCluster =
          cluster.up(
              new LocalClusterSpec(
                  cluster.dir(),
                  settings.nodes(),
                  LocalClusterSpec.DEFAULT_CPUS,
                  LocalClusterSpec.DEFAULT_MEMORY_MB,
                  LocalClusterSpec.DEFAULT_GRACE_SECONDS,
                  OptionalInt.empty()),
              true,
              out,
              settings.isolatedNodes());
      Optional<NodeNetwork> network = cluster.network();
      Map<String, String> env = cluster.clientEnv();
      slurm =
          new SlurmCli(
              cluster.clientBinDir(),
              Duration.ofSeconds(15),
              new ProcessCommandRunner(env),
              (command, took, ok) -> {});
      ServerConfig cfg =
          ServerConfig.DEFAULT
              .withApi(
                  ServerConfig.DEFAULT
                      .api()
                      .withPort(settings.port())
                      .withGuest(true)
                      .withExecutor("pilots"))
              .withStore(
                  ServerConfig.DEFAULT
                      .store()
                      .withDataDir(settings.dir().resolve("data").toString()));
      if (network.isPresent()) {
        // pilots reach the server only at the cluster network's host side; the API listens there
        // too, for actions on the nodes (__OW_API_HOST is that address; they call with their
        // activation's key), while OpenWhisk's public guest key works on loopback only
        String hostSide = network.get().hostAddress();
        cfg =
            cfg.withApi(cfg.api().withHost("127.0.0.1," + hostSide))
                .withPilots(cfg.balancer().withHost(hostSide));
      }
      if (settings.tls()) {
        cfg = withLocalCa(cfg, network.map(NodeNetwork::hostAddress));
      }
      HarvestConfig harvest = harvestConfig(settings, cluster.conf(), cluster.clientBinDir());
      if (settings.rest()) {
        harvest = throughRest(harvest, cluster);
        out.println(
            "hpc-whisk up: the controller reads Slurm through slurmrestd at "
                + harvest.slurm().rest().url().orElseThrow());
      }
      out.println(
          "hpc-whisk up: starting the server (API, balancer, harvest controller with policy "
              + settings.policy()
              + ") on port "
              + settings.port()
              + " ...");
      server =
          SystemServer.start(
              cfg,
              Optional.of(harvest),
              settings.home(),
              VersionCommand.hpcWhiskVersion(),
              report -> {});
      serverConfig = cfg;
      harvestConfig = harvest;
      out.println("hpc-whisk up: pilots connect to " + server.server().pilotUrl());
      createDemoActions();
      dashboard =
          new UpDashboard(
              slurm, server.server().meters(), harvest.harvest().pilotJob().namePrefix());
      if (settings.workload()) {
        workload = new Thread(this::runWorkload, "up-workload");
        workload.setDaemon(true);
        workload.start();
      }
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /**
   * {@code harvest} with {@code slurm.access: rest}, the cluster's slurmrestd and its token file
   * (mode 0600, written by the cluster; only its path is in the configuration).
   */
  static HarvestConfig throughRest(HarvestConfig harvest, LocalCluster cluster) {
    URI url =
        cluster
            .restUrl()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "--rest: the local cluster in "
                            + cluster.dir()
                            + " runs no slurmrestd (only --slurm 24.11 clusters have one)"));
    var s = harvest.slurm();
    return harvest.with(
        HarvestConfig::slurm,
        // the URL and token file first: access rest is checked against them
        s.with(
                HarvestConfig.Slurm::rest,
                new HarvestConfig.Rest(Optional.of(url), Optional.of(cluster.restTokenFile())))
            .with(HarvestConfig.Slurm::access, "rest"));
  }

  static HarvestConfig harvestConfig(Settings settings, Path slurmConf) {
    return harvestConfig(settings, slurmConf, HarvestConfig.defaults().slurm().binDir());
  }

  /**
   * The harvest configuration of {@code up}, with the Slurm clients in {@code binDir} (empty: the
   * PATH).
   */
  static HarvestConfig harvestConfig(Settings settings, Path slurmConf, Optional<Path> binDir) {
    HarvestConfig base = HarvestConfig.defaults();
    var s = base.slurm();
    var h = base.harvest();
    var job = h.pilotJob();
    Path logs = settings.dir().resolve("pilots");
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var pilotJob =
        job.with(HarvestConfig.PilotJob::script, SystemServer.REAL_PILOT_SCRIPT)
            .with(HarvestConfig.PilotJob::output, logs.resolve("pilot-%j.out").toString());
    // the parameters first: they are checked against the policy (no parameters fit every policy)
    var harvest =
        h.with(HarvestConfig.Harvest::params, Map.<String, String>of())
            .with(HarvestConfig.Harvest::policy, settings.policy())
            .with(HarvestConfig.Harvest::interval, Duration.ofSeconds(2))
            .with(HarvestConfig.Harvest::dryRun, false)
            .with(HarvestConfig.Harvest::pilotJob, pilotJob);
    return base.with(
            HarvestConfig::slurm,
            s.with(HarvestConfig.Slurm::conf, Optional.of(slurmConf))
                .with(HarvestConfig.Slurm::binDir, binDir))
        .with(HarvestConfig::harvest, harvest);
  }

  String apiHost() {
    return server.server().apiUrl();
  }

  /** The CA certificate clients must trust ({@code --tls}). */
  Optional<Path> caCertificate() {
    return Optional.ofNullable(caCertificate);
  }

  /**
   * Stops the server and starts it again with the same configuration (the end-to-end tests' fault).
   */
  void restartServer() throws Exception {
    server.close();
    server =
        SystemServer.start(
            serverConfig,
            Optional.of(harvestConfig),
            settings.home(),
            VersionCommand.hpcWhiskVersion(),
            report -> {});
  }

  /** The running server (tests). */
  SystemServer server() {
    return server;
  }

  /** The cluster this session runs on (tests look at its network). */
  LocalCluster cluster() {
    return cluster;
  }

  /**
   * {@code --tls}: the local CA in {@code DIR/tls} (made once, mode 0700, keys 0600) issues a
   * server certificate for 127.0.0.1, localhost and the cluster network's host side; the API serves
   * HTTPS, the pilots' port WSS, and pilot jobs are told to trust the CA ({@code
   * balancer.ca-file}). Prints {@code CA certificate: PATH}.
   */
  private ServerConfig withLocalCa(ServerConfig cfg, Optional<String> hostSide) throws IOException {
    LocalCa ca = LocalCa.openOrCreate(settings.dir().resolve("tls"), "HPC-Whisk up local CA");
    List<String> names = new ArrayList<>(List.of("127.0.0.1", "localhost"));
    hostSide.ifPresent(names::add);
    var issued = ca.issue("server", names, Duration.ofDays(90));
    caCertificate = ca.certificateFile();
    out.println("CA certificate: " + caCertificate);
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(PemFiles.trustStore("CA certificate", caCertificate));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      http =
          HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(context).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot trust the local CA: " + e.getMessage(), e);
    }
    return cfg.withApi(
            cfg.api().withTls(ServerConfig.Tls.of(issued.certificate(), issued.key(), 10)))
        .withPilots(cfg.balancer().withUrl(null, caCertificate.toString()));
  }

  static String guestAuth() {
    return Identity.GUEST.uuid() + ":" + Identity.GUEST.key();
  }

  /** The package of the demo actions in the guest namespace. */
  static final String DEMO_PACKAGE = "demo";

  /** The demo actions, as their names are invoked ({@code demo/hello}, {@code demo/hello-py}). */
  static final List<String> DEMO_ACTIONS =
      List.of(DEMO_PACKAGE + "/hello", DEMO_PACKAGE + "/hello-py");

  private void createDemoActions() throws Exception {
    put("packages/" + DEMO_PACKAGE, "{}", "package");
    put("actions/" + DEMO_ACTIONS.get(0), exec("nodejs:default", NODE_HELLO), "action");
    put("actions/" + DEMO_ACTIONS.get(1), exec("python:default", PYTHON_HELLO), "action");
  }

  private static String exec(String kind, String code) {
    return "{\"exec\":{\"kind\":\"" + kind + "\",\"code\":" + json(code) + "}}";
  }

  private void put(String path, String body, String what) throws Exception {
    HttpResponse<String> r =
        http.send(
            request("/api/v1/namespaces/guest/" + path + "?overwrite=true")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "cannot create the demo "
              + what
              + " "
              + path
              + ": HTTP "
              + r.statusCode()
              + " "
              + r.body());
    }
  }

  /** A blocking invoke of a demo action; the HTTP status and body. */
  HttpResponse<String> invoke(String action, String params) throws Exception {
    return http.send(
        request("/api/v1/namespaces/guest/actions/" + action + "?blocking=true&result=true")
            .timeout(Duration.ofSeconds(70))
            .POST(HttpRequest.BodyPublishers.ofString(params))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(apiHost() + path))
        .header("Content-Type", "application/json")
        .header(
            "Authorization",
            "Basic "
                + Base64.getEncoder().encodeToString(guestAuth().getBytes(StandardCharsets.UTF_8)));
  }

  static String json(String text) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** The seeded demo workload, round after round (seed, seed+1, ...) until stopped. */
  private void runWorkload() {
    long seed = settings.seed();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Duration span = Duration.ofMinutes(10);
        SyntheticWorkload w =
            SyntheticWorkload.generate(seed++, span, settings.nodes(), settings.meanGap());
        Instant start = Instant.now();
        for (SyntheticWorkload.BatchJob job : w.jobs()) {
          long wait = Duration.between(Instant.now(), start.plus(job.offset())).toMillis();
          if (wait > 0) {
            Thread.sleep(wait);
          }
          try {
            slurm.sbatch(
                List.of(
                    "--partition=batch",
                    "--nodes=" + job.nodes(),
                    "--time=" + job.limit().toMinutes(),
                    "--job-name=" + BATCH_NAME,
                    "--output=/dev/null"),
                "#!/bin/sh\nsleep " + job.runtime().toSeconds() + "\n");
          } catch (RuntimeException e) {
            out.println("hpc-whisk up: demo batch job not submitted: " + e.getMessage());
          }
        }
        long rest = Duration.between(Instant.now(), start.plus(span)).toMillis();
        if (rest > 0) {
          Thread.sleep(rest);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  UpDashboard.Frame sample() {
    return dashboard.sample(Instant.now());
  }

  /** How to invoke, as printed: every line works as it is when pasted into a shell. */
  String examples() {
    String host = apiHost();
    return "Invoke the demo actions (guest namespace, OpenWhisk's well-known guest key):\n"
        + "  curl -s"
        + caCertificate().map(c -> " --cacert " + c).orElse("")
        + " -u "
        + guestAuth()
        + " -X POST -H 'Content-Type: application/json' -d '{\"name\":\"Slurm\"}' \\\n"
        + "    '"
        + host
        + "/api/v1/namespaces/guest/actions/demo/hello?blocking=true&result=true'\n"
        + "  "
        + caCertificate().map(c -> "NODE_EXTRA_CA_CERTS=" + c + " ").orElse("")
        + "OW_APIHOST="
        + host
        + " OW_AUTH="
        + guestAuth()
        + " \\\n"
        + "    node "
        + settings.home().resolve("e2e/invoke.js")
        + " demo/hello-py '{\"name\":\"Slurm\"}'"
        + "   # the openwhisk npm client (npm ci --prefix "
        + settings.home().resolve("e2e")
        + ")\n"
        + "  wsk property set --apihost "
        + host
        + " --auth "
        + guestAuth()
        + "   # the wsk CLI, if installed\n"
        + "Metrics: "
        + host
        + "/metrics   Slurm: export SLURM_CONF="
        + cluster.conf()
        + "\n";
  }

  @Override
  public void close() {
    if (workload != null) {
      workload.interrupt();
    }
    if (server != null) {
      try {
        server.close();
      } catch (RuntimeException e) {
        out.println("hpc-whisk up: error while stopping the server: " + e.getMessage());
      }
    }
    if (slurm != null) {
      try {
        slurm.scancelAll(); // only the jobs of this session's own cluster
      } catch (RuntimeException e) {
        out.println("hpc-whisk up: cannot cancel the cluster's jobs: " + e.getMessage());
      }
    }
    if (cluster != null && startedCluster) {
      cluster.down(out);
    }
  }
}
