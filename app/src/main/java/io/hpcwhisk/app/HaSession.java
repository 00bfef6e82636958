package io.hpcwhisk.app;

import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.SlurmInstallation;
import io.hpcwhisk.localcluster.postgres.PrivatePostgres;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * What {@code hpc-whisk up --ha N} starts and stops: a local Slurm cluster, a private PostgreSQL
 * ({@link PrivatePostgres}), N servers on 127.0.0.2 .. 127.0.0.(N+1) under leader election and
 * HAProxy in front of their APIs; the addresses, health checks, the 0700 run directory and the
 * restart of a server that exits are stated in docs/admin-guide.md §7, "Several servers (high
 * availability)". {@link #close()} stops, in reverse order, only what this session started, by the
 * processes' own handles.
 */
final class HaSession implements AutoCloseable {

  /** The session's database in the private PostgreSQL. */
  static final String DATABASE = "hpcwhisk";

  /** What to start. */
  record Settings(
      Path dir, int servers, int nodes, int port, String policy, Path home, String slurmVersion) {}

  /** One server process. */
  record Server(int index, String address, String url, Process process, Path log) {}

  /** A server found dead and started again ({@link #restarted()}). */
  record Restart(int index, long oldPid, int status, long newPid) {}

  private final Settings settings;
  private final PrintStream out;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Server> servers = new CopyOnWriteArrayList<>();
  private final List<Restart> restarts = new CopyOnWriteArrayList<>();
  private volatile boolean closing;
  private Path config;
  private LocalCluster cluster;
  private boolean startedCluster;
  private SlurmCli slurm;
  private PrivatePostgres postgres;
  private String jdbcUrl;
  private Process haproxy;
  private Path runDir;

  HaSession(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /** The address of server {@code k} (1-based): 127.0.0.(k+1). */
  static String address(int k) {
    return "127.0.0." + (k + 1);
  }

  /** Whether HAProxy is installed. */
  static Path haproxyBinary() {
    for (String p : List.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    throw new IllegalStateException(
        "HAProxy is not installed (Debian package haproxy): run bin/install-deps");
  }

  void start() throws Exception {
    try {
      Path haproxyBin = haproxyBinary();
      if (!PrivatePostgres.available()) {
        throw new IllegalStateException(
            "PostgreSQL 15 is not installed (Debian package postgresql): run bin/install-deps");
      }
      runDir = settings.dir().resolve("ha");
      Files.createDirectories(runDir);
      Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwx------"));
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
              false);
      slurm =
          new SlurmCli(
              cluster.clientBinDir(),
              Duration.ofSeconds(15),
              new ProcessCommandRunner(cluster.clientEnv()),
              (command, took, ok) -> {});
      Path passwordFile = runDir.resolve("db-password");
      out.println("hpc-whisk up: starting a private PostgreSQL 15 ...");
      postgres = PrivatePostgres.start();
      postgres.writePasswordFile(passwordFile);
      jdbcUrl = postgres.createDatabase(DATABASE);
      out.println(
          "database: "
              + jdbcUrl
              + " user "
              + PrivatePostgres.ROLE
              + " (password in "
              + passwordFile
              + ", pid "
              + postgres.pid()
              + ")");
      config = runDir.resolve("hpc-whisk.yaml");
      writePrivate(config, serverConfig(passwordFile));
      // server 1 makes the pilot secret; every other server gets a copy before its first start, so
      // that a pilot's credential is valid on every server it may move to
      servers.add(startServer(1, config));
      awaitHealthy(servers.get(0));
      Path secret = runDir.resolve("server-1").resolve("pilot-secret");
      for (int k = 2; k <= settings.servers(); k++) {
        Path dataDir = runDir.resolve("server-" + k);
        Files.createDirectories(dataDir);
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        Files.copy(secret, dataDir.resolve("pilot-secret"), StandardCopyOption.COPY_ATTRIBUTES);
        servers.add(startServer(k, config));
      }
      for (Server s : servers) {
        awaitHealthy(s);
        out.println("server " + s.index() + ": pid " + s.process().pid() + " url " + s.url());
        watch(s);
      }
      Path haCfg = runDir.resolve("haproxy.cfg");
      writePrivate(haCfg, haproxyConfig(settings.port(), settings.port(), settings.servers()));
      ProcessBuilder pb =
          new ProcessBuilder(haproxyBin.toString(), "-db", "-f", haCfg.toString())
              .redirectErrorStream(true)
              .redirectOutput(runDir.resolve("haproxy.log").toFile());
      haproxy = pb.start();
      awaitFront();
      // the demo actions exist before the front is announced: whoever waits for the line may use
      // them
      createDemoActions();
      out.println("front: " + frontUrl() + " (HAProxy, pid " + haproxy.pid() + ")");
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  String frontUrl() {
    return "http://127.0.0.1:" + settings.port();
  }

  List<Server> servers() {
    return List.copyOf(servers);
  }

  /** The restarts so far, in order. */
  List<Restart> restarted() {
    return List.copyOf(restarts);
  }

  /**
   * Starts server {@code dead} again after its process ended (called on its exit): same address,
   * configuration and data directory; prints its new pid and URL once it answers. Nothing while the
   * session closes.
   */
  private void restart(Server dead) {
    if (closing) {
      return;
    }
    int status = dead.process().exitValue();
    out.println(
        "hpc-whisk up: server "
            + dead.index()
            + " (pid "
            + dead.process().pid()
            + ") exited with status "
            + status
            + "; restarting it");
    Server next;
    try {
      synchronized (this) {
        if (closing) {
          return;
        }
        keepLog(dead);
        next = startServer(dead.index(), config);
        servers.set(servers.indexOf(dead), next);
      }
      awaitHealthy(next);
    } catch (Exception e) {
      if (!closing) {
        out.println(
            "hpc-whisk up: server "
                + dead.index()
                + " did not come back, left down: "
                + e.getMessage());
      }
      return;
    }
    if (closing) {
      return;
    }
    restarts.add(new Restart(dead.index(), dead.process().pid(), status, next.process().pid()));
    out.println("server " + next.index() + ": pid " + next.process().pid() + " url " + next.url());
    watch(next);
  }

  /**
   * Keeps the log of a server instance that ended as {@code server-K.pid-P.log} (P its pid), so
   * that the next instance's {@code server-K.log} holds only its own lines; left in place when it
   * cannot be moved (the next instance then appends to it).
   */
  private void keepLog(Server dead) {
    Path kept = runDir.resolve("server-" + dead.index() + ".pid-" + dead.process().pid() + ".log");
    try {
      Files.move(dead.log(), kept);
    } catch (IOException e) {
      out.println(
          "hpc-whisk up: cannot keep the log of server "
              + dead.index()
              + " as "
              + kept
              + " ("
              + e.getMessage()
              + "); the next one appends to it");
    }
  }

  /** Restarts {@code s} when its process ends, on a thread of its own (a start takes a while). */
  private void watch(Server s) {
    s.process()
        .onExit()
        .thenRun(
            () -> {
              Thread t = new Thread(() -> restart(s), "ha-restart-server-" + s.index());
              t.setDaemon(true);
              t.start();
            });
  }

  /** The configuration every server reads (its options add host, port and data directory). */
  String serverConfig(Path passwordFile) {
    String bin = cluster.clientBinDir().map(Path::toString).orElse("");
    Path pilots = settings.dir().resolve("pilots");
    try {
      Files.createDirectories(pilots);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "# written by hpc-whisk up --ha; read by its servers\n"
        + "slurm:\n"
        + "  bin-dir: "
        + quote(bin)
        + "\n"
        + "  conf: "
        + quote(cluster.conf().toString())
        + "\n"
        + "harvest:\n"
        + "  enabled: true\n"
        + "  policy: "
        + settings.policy()
        + "\n"
        + "  interval: 2s\n"
        + "  dry-run: false\n"
        + "  pilot-job:\n"
        + "    script: "
        + quote(SystemServer.REAL_PILOT_SCRIPT.toString())
        + "\n"
        + "    output: "
        + quote(pilots.resolve("pilot-%j.out").toString())
        + "\n"
        + "balancer:\n"
        + "  url: "
        + quote(pilotUrls())
        + "\n"
        + "api:\n"
        + "  executor: pilots\n"
        + "  guest: true\n"
        + "store:\n"
        + "  kind: postgres\n"
        + "  postgres:\n"
        + "    url: "
        + quote(jdbcUrl)
        + "\n"
        + "    user: "
        + PrivatePostgres.ROLE
        + "\n"
        + "    password-file: "
        + quote(passwordFile.toString())
        + "\n";
  }

  /**
   * Every server's pilot URL, comma-separated: a pilot moves to the next when its server goes. The
   * pilots' connector of a server listens on its address at the API port + 1 (balancer.port's
   * default); the API port itself answers a pilot's upgrade with 404.
   */
  String pilotUrls() {
    List<String> urls = new ArrayList<>();
    for (int k = 1; k <= settings.servers(); k++) {
      urls.add("ws://" + address(k) + ":" + (settings.port() + 1) + "/pilot/v1");
    }
    return String.join(",", urls);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /**
   * HAProxy in front of the servers' APIs: HTTP health checks on {@code GET /api/v1} (no
   * authentication, no database) every second, out after 2 failures, back after 2 successes; a
   * refused connection is retried on another server ({@code option redispatch}); timeouts above the
   * longest blocking invoke (60 s).
   */
  static String haproxyConfig(int frontPort, int serverPort, int count) {
    StringBuilder b =
        new StringBuilder(
            "# written by hpc-whisk up --ha\n"
                + "global\n"
                + "  maxconn 4096\n"
                + "defaults\n"
                + "  mode http\n"
                + "  timeout connect 2s\n"
                + "  timeout client 90s\n"
                + "  timeout server 90s\n"
                + "  timeout http-request 60s\n"
                + "  retries 3\n"
                + "  option redispatch 1\n"
                // a kept-alive connection to a server just killed answers nothing: resend on
                // another server, but never a POST (an invoke) that may have arrived
                + "  retry-on conn-failure empty-response\n"
                + "frontend api\n"
                + "  bind 127.0.0.1:"
                + frontPort
                + "\n"
                + "  default_backend servers\n"
                + "backend servers\n"
                + "  balance roundrobin\n"
                + "  http-request disable-l7-retry if METH_POST\n"
                + "  option httpchk GET /api/v1\n"
                + "  http-check expect status 200\n"
                + "  default-server inter 1s fall 2 rise 2\n");
    for (int k = 1; k <= count; k++) {
      b.append("  server s")
          .append(k)
          .append(' ')
          .append(address(k))
          .append(':')
          .append(serverPort)
          .append(" check\n");
    }
    return b.toString();
  }

  private static void writePrivate(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private Server startServer(int k, Path config) throws IOException {
    String address = address(k);
    Path log = runDir.resolve("server-" + k + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                settings.home().resolve("bin/hpc-whisk").toString(),
                "server",
                "--config",
                config.toString(),
                "--host",
                address,
                "--port",
                Integer.toString(settings.port()),
                "--data-dir",
                runDir.resolve("server-" + k).toString(),
                "--guest",
                "--executor",
                "pilots")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("HPC_WHISK_HOME", settings.home().toString());
    pb.environment().put("HPC_WHISK_NO_BUILD", "1");
    out.println("hpc-whisk up: starting server " + k + " on " + address + " ...");
    return new Server(k, address, "http://" + address + ":" + settings.port(), pb.start(), log);
  }

  private void awaitHealthy(Server s) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!healthy(s.url())) {
      if (!s.process().isAlive()) {
        throw new IllegalStateException(
            "server "
                + s.index()
                + " exited with "
                + s.process().exitValue()
                + ": "
                + tail(s.log()));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "server "
                + s.index()
                + " did not answer on "
                + s.url()
                + " within 3 min: "
                + tail(s.log()));
      }
      s.process().waitFor(500, TimeUnit.MILLISECONDS);
    }
  }

  private void awaitFront() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!healthy(frontUrl())) {
      if (!haproxy.isAlive()) {
        throw new IllegalStateException(
            "HAProxy exited with "
                + haproxy.exitValue()
                + ": "
                + tail(runDir.resolve("haproxy.log")));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "HAProxy did not answer on " + frontUrl() + " within 1 min");
      }
      haproxy.waitFor(300, TimeUnit.MILLISECONDS);
    }
  }

  private boolean healthy(String url) {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(url + "/api/v1"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log " + log + ")";
    }
  }

  private void createDemoActions() throws Exception {
    put("packages/" + UpSession.DEMO_PACKAGE, "{}");
    put(
        "actions/" + UpSession.DEMO_ACTIONS.get(0),
        "{\"exec\":{\"kind\":\"nodejs:default\",\"code\":"
            + UpSession.json(UpSession.NODE_HELLO)
            + "}}");
    put(
        "actions/" + UpSession.DEMO_ACTIONS.get(1),
        "{\"exec\":{\"kind\":\"python:default\",\"code\":"
            + UpSession.json(UpSession.PYTHON_HELLO)
            + "}}");
  }

  private void put(String path, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(frontUrl() + "/api/v1/namespaces/guest/" + path + "?overwrite=true"))
                .header("Content-Type", "application/json")
                .header(
                    "Authorization",
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(UpSession.guestAuth().getBytes(StandardCharsets.UTF_8)))
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "cannot create the demo "
              + path
              + " through HAProxy: HTTP "
              + r.statusCode()
              + " "
              + r.body());
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closing = true; // no restart from here on
    }
    if (haproxy != null) {
      stopProcess(haproxy, "HAProxy");
    }
    for (Server s : servers) {
      stopProcess(s.process(), "server " + s.index());
    }
    if (postgres != null) {
      postgres.close();
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

  /** SIGTERM to the process started here, SIGKILL after 30 s. */
  private void stopProcess(Process p, String what) {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        out.println("hpc-whisk up: " + what + " did not stop within 30 s; killing it");
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }
}
