package io.hpcwhisk.bench.balancer;

import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.dispatch.ClusterDispatcher;
import io.hpcwhisk.balancer.dispatch.PilotDispatcher;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.balancer.tls.LocalCa;
import io.hpcwhisk.balancer.tls.PemFiles;
import io.hpcwhisk.localcluster.postgres.PrivatePostgres;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throughput and latency of blocking no-op invocations through the real server to real pilot JVMs
 * on this machine, as a ratio to the same server answering {@code GET /}; what it prints and the
 * figures are in docs/benchmarks.md, "Balancer with real pilots", "Pilots on isolated nodes, plain
 * and TLS" and "Through the API with real pilots".
 *
 * <p>Usage: {@code java -cp app/target/hpc-whisk.jar
 * io.hpcwhisk.bench.balancer.PilotBalancerBenchmark [pilots=3] [connections=64] [seconds=10]
 * [pilotMemoryMb=512] [warmupSeconds=60] [isolatedClusterDir | stores [PG_SETTING=VALUE ...]]};
 * each pilot runs at most pilotMemoryMb/128 activations at once; {@code
 * -Dbench.pilotJvmOptions="..."} adds pilot JVM options ({@code {job}}: the pilot's job number);
 * pilot logs stay in a temporary directory (the store in it is deleted at the end).
 */
public final class PilotBalancerBenchmark {

  private PilotBalancerBenchmark() {}

  /**
   * Where the pilots run (loopback, or the namespaces of an isolated cluster, with TLS or not), on
   * which store ({@code postgres} null: the embedded one) and how many servers share it.
   */
  record Setup(String name, Properties network, boolean tls, List<String> postgres, int servers) {
    Setup(String name, Properties network, boolean tls) {
      this(name, network, tls, null, 1);
    }
  }

  /** The database of the {@code stores} mode in its private cluster. */
  static final String DATABASE = "bench";

  public static void main(String[] args) throws Exception {
    int pilots = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int pilotMemoryMb = args.length > 3 ? Integer.parseInt(args[3]) : 512;
    int warmupSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 60;
    if (args.length > 5 && args[5].equals("stores")) {
      // the embedded store, then PostgreSQL (a private cluster; later arguments are its settings)
      List<String> settings = List.of(args).subList(6, args.length);
      List<StoreFigures> figures = new ArrayList<>();
      for (Setup setup :
          List.of(
              new Setup("embedded", null, false),
              new Setup("postgres 1 server", null, false, settings, 1),
              new Setup("postgres 2 servers", null, false, settings, 2))) {
        System.out.println("=== store " + setup.name() + " === load average: " + loadAverage());
        figures.add(run(setup, pilots, connections, seconds, pilotMemoryMb, warmupSeconds));
      }
      System.out.println(
          "=== blocking no-op invokes, "
              + pilots
              + " pilots, "
              + connections
              + " connections, "
              + seconds
              + " s; ratios to embedded; PostgreSQL settings "
              + settings
              + " ===");
      System.out.print(StoreFigures.throughputTable(figures));
      System.out.println(
          "=== where the time goes (CPU us per activation from /proc, 10 ms ticks; server without"
              + " the client's threads; pg = postmaster and backends; xacts, WAL bytes and fsyncs"
              + " from pg_stat_database/pg_stat_wal, 11 s after the run; PostgreSQL's idle"
              + " background (heartbeats, polls) subtracted; via queue = activations written to the"
              + " dispatch queue) ===");
      System.out.print(StoreFigures.timeTable(figures));
      System.out.println("load average: " + loadAverage());
      return;
    }
    if (args.length <= 5) {
      run(
          new Setup("loopback plain", null, false),
          pilots,
          connections,
          seconds,
          pilotMemoryMb,
          warmupSeconds);
      return;
    }
    Properties network = new Properties();
    try (var in = Files.newInputStream(Path.of(args[5]).resolve("network.properties"))) {
      network.load(in);
    }
    Map<String, StoreFigures> figures = new LinkedHashMap<>();
    for (Setup setup :
        List.of(
            new Setup("loopback plain", null, false),
            new Setup("isolated plain", network, false),
            new Setup("isolated TLS", network, true))) {
      System.out.println("=== " + setup.name() + " ===");
      figures.put(
          setup.name(), run(setup, pilots, connections, seconds, pilotMemoryMb, warmupSeconds));
    }
    print(figures, "loopback plain", "");
  }

  private static void print(Map<String, StoreFigures> figures, String baseName, String note) {
    StoreFigures base = figures.get(baseName);
    System.out.println(
        "=== blocking no-op invokes, ratios to "
            + baseName
            + " ("
            + base.perSecond()
            + " req/s) "
            + note
            + " ===");
    figures.forEach(
        (name, f) ->
            System.out.printf(
                "%-15s %8.0f req/s  ratio %.3f   latency p50 %.2f ms   balancer"
                    + " overhead p50 <= %.2f ms%n",
                name,
                f.perSecond(),
                f.perSecond() / base.perSecond(),
                f.latencyP50Ms(),
                f.overheadP50Ms()));
    System.out.println("load average: " + loadAverage());
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static StoreFigures run(
      Setup setup, int pilots, int connections, int seconds, int pilotMemoryMb, int warmupSeconds)
      throws Exception {
    Path data = Files.createTempDirectory("hpc-whisk-pilot-bench");
    String hostSide = setup.network() == null ? null : setup.network().getProperty("subnet") + ".1";
    ServerConfig.Tls tls = ServerConfig.Tls.NONE;
    Path ca = null;
    if (setup.tls()) {
      LocalCa localCa = LocalCa.openOrCreate(data.resolve("tls"), "benchmark CA");
      List<String> names = hostSide == null ? List.of("127.0.0.1") : List.of("127.0.0.1", hostSide);
      var issued = localCa.issue("server", names, Duration.ofDays(1));
      tls = ServerConfig.Tls.of(issued.certificate(), issued.key(), 3600);
      ca = localCa.certificateFile();
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(PemFiles.trustStore("CA", ca));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      ApiOverheadBenchmark.SOCKETS = context.getSocketFactory();
    } else {
      ApiOverheadBenchmark.SOCKETS = SocketFactory.getDefault();
    }
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(
                ServerConfig.DEFAULT
                    .api()
                    .withPort(0)
                    .withGuest(true)
                    .withDrainSeconds(0)
                    .withExecutor("pilots")
                    .withRates(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(data.resolve("data").toString()))
            // the benchmark's pilots are plain processes, not Slurm jobs: nothing for squeue to
            // verify
            .withPilots(
                ServerConfig.Pilots.DEFAULT.withVerifyJobs("none", null).withHost(hostSide));
    config = config.withApi(config.api().withTls(tls));
    PrivatePostgres database = null;
    List<Process> processes = new ArrayList<>();
    List<WhiskServer> servers = new ArrayList<>();
    try {
      if (setup.postgres() != null) {
        database = PrivatePostgres.start(setup.postgres());
        Path password = data.resolve("pg-password");
        database.writePasswordFile(password);
        config =
            config.withStore(
                config
                    .store()
                    .withPostgres(
                        new ServerConfig.Postgres(
                            database.createDatabase(DATABASE),
                            database.user(),
                            password.toString(),
                            null,
                            null)));
      }
      // server k keeps its own data directory; all share server 1's pilot secret (as a site
      // would), so that any pilot credential is valid on every server
      for (int k = 1; k <= setup.servers(); k++) {
        Path dataDir = data.resolve(k == 1 ? "data" : "data-" + k);
        if (k > 1) {
          Files.createDirectories(dataDir);
          Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
          Files.copy(
              data.resolve("data").resolve("pilot-secret"),
              dataDir.resolve("pilot-secret"),
              StandardCopyOption.COPY_ATTRIBUTES);
        }
        servers.add(
            WhiskServer.start(
                config.withStore(config.store().withDataDir(dataDir.toString())), "bench-" + k));
      }
      int[] ports = servers.stream().mapToInt(s -> s.address().getPort()).toArray();
      PilotCredentials credentials = WhiskServer.pilotCredentials(config);
      for (int i = 0; i < pilots; i++) {
        List<String> nsenter =
            setup.network() == null
                ? List.of()
                : List.of(
                    "nsenter",
                    "--net=/run/netns/"
                        + setup.network().getProperty("prefix")
                        + "-n"
                        + (i % Integer.parseInt(setup.network().getProperty("nodes")) + 1),
                    "--");
        // pilot i connects to server (i mod N) + 1
        processes.add(
            startPilot(
                servers.get(i % servers.size()).pilotUrl(),
                credentials,
                9000 + i,
                pilotMemoryMb,
                data,
                nsenter,
                ca));
      }
      long until = System.nanoTime() + 60_000_000_000L;
      while (servers.stream()
              .mapToInt(s -> ((PilotDispatcher) s.dispatcher()).snapshot().pilots())
              .sum()
          < pilots) {
        if (System.nanoTime() > until) {
          throw new IllegalStateException("pilots did not register within 60 s; logs in " + data);
        }
        Thread.sleep(100);
      }
      String auth =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8));
      ApiOverheadBenchmark.request(
          ports[0],
          "PUT",
          "/api/v1/namespaces/_/actions/noop",
          auth,
          "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return"
              + " {}}\"},\"limits\":{\"memory\":128}}");
      String staticGet = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      String invoke =
          "POST /api/v1/namespaces/_/actions/noop?blocking=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Authorization: "
              + auth
              + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
      ApiOverheadBenchmark.run(ports, staticGet, connections, 2);
      // warm runtimes on every pilot, and the JIT: young pilot JVMs spend a third of their CPU
      // compiling
      ApiOverheadBenchmark.run(ports, invoke, connections, warmupSeconds);
      List<Timer> overhead =
          servers.stream().map(s -> s.meters().find("whisk_activation_overhead").timer()).toList();
      // the database's background (heartbeats, polls; the static GETs do not touch it), measured
      // over the baseline run and a settling time, is subtracted from the invocations' figures
      PgStats pgIdle0 = database == null ? null : settledPgStats(database);
      long pgCpuIdle0 = database == null ? 0 : treeCpu(database.pid());
      long idleStart = System.nanoTime();
      ApiOverheadBenchmark.Result baseline =
          ApiOverheadBenchmark.run(ports, staticGet, connections, seconds);
      PgStats pgBefore = database == null ? null : settledPgStats(database);
      long pgCpuBefore = database == null ? 0 : treeCpu(database.pid());
      long pgWindowStart = System.nanoTime();
      double idleSeconds = (pgWindowStart - idleStart) / 1e9;
      double[] before = buckets(overhead);
      long handOffsBefore = handOffs(servers);
      List<Long> pilotPids = processes.stream().map(Process::pid).toList();
      CpuTimes cpuBefore = CpuTimes.of(processes);
      Map<String, Long> serverThreads0 = ThreadCpu.byGroup();
      Map<String, Long> pilotThreads0 = ThreadCpu.byGroup(pilotPids);
      ApiOverheadBenchmark.Result blocking =
          ApiOverheadBenchmark.run(ports, invoke, connections, seconds);
      CpuTimes cpu = CpuTimes.of(processes).minus(cpuBefore);
      long pgCpu =
          database == null
              ? 0
              : StoreFigures.lessBackground(
                  treeCpu(database.pid()) - pgCpuBefore,
                  (System.nanoTime() - pgWindowStart) / 1e9,
                  pgCpuBefore - pgCpuIdle0,
                  idleSeconds);
      Map<String, Long> serverThreads = ThreadCpu.since(serverThreads0);
      Map<String, Long> pilotThreads = ThreadCpu.minus(ThreadCpu.byGroup(pilotPids), pilotThreads0);
      double[] after = buckets(overhead);
      long handOffs = handOffs(servers) - handOffsBefore;
      PgStats pg = null;
      if (database != null) {
        PgStats during = settledPgStats(database).minus(pgBefore);
        PgStats idle = pgBefore.minus(pgIdle0);
        pg = during.lessBackground((System.nanoTime() - pgWindowStart) / 1e9, idle, idleSeconds);
        System.out.printf(
            "PostgreSQL background while idle (subtracted): %.0f us CPU/s, %.1f transactions/s,"
                + " %.1f fsyncs/s%n",
            (pgCpuBefore - pgCpuIdle0) / idleSeconds / 1000,
            idle.transactions() / idleSeconds,
            idle.walSyncs() / idleSeconds);
      }
      System.out.println(
          pilots
              + " pilot processes of "
              + pilotMemoryMb
              + " MB (128 MB action: "
              + pilotMemoryMb / 128
              + " slots each), "
              + servers.size()
              + (servers.size() == 1 ? " server, " : " servers (pilots and connections split), ")
              + connections
              + " connections, "
              + seconds
              + " s each after "
              + warmupSeconds
              + " s of warm-up, "
              + Runtime.getRuntime().availableProcessors()
              + " cores (shared with the pilots)");
      System.out.println(baseline.line("baseline GET / (static)"));
      System.out.println(blocking.line("blocking no-op invoke via pilots"));
      System.out.printf(
          "ratio blocking/baseline throughput: %.3f%n",
          blocking.perSecond() / baseline.perSecond());
      double overheadP50 = percentile(overhead.get(0), before, after, 0.50);
      System.out.printf(
          "balancer overhead (dispatch->result minus action duration): p50 <= %.2f ms, p99 <= %.2f"
              + " ms%n",
          overheadP50, percentile(overhead.get(0), before, after, 0.99));
      System.out.println(cpu.perActivation(blocking));
      double n = Math.max(1, blocking.requests());
      System.out.println(
          "server JVM by thread group (us per activation, /proc, 10 ms ticks, client threads"
              + " included): "
              + ThreadCpu.perRequest(serverThreads, n));
      System.out.println(
          "pilot JVMs by thread group (us per activation): "
              + ThreadCpu.perRequest(pilotThreads, n));
      if (database != null) {
        System.out.printf(
            "PostgreSQL: %.0f us CPU per activation; %s; %d activations through the dispatch"
                + " queue%n",
            pgCpu / n / 1000, pg, handOffs);
      }
      return new StoreFigures(
          setup.name(),
          blocking.requests(),
          blocking.seconds(),
          blocking.latencyMicros().getValueAtPercentile(50) / 1000.0,
          blocking.latencyMicros().getValueAtPercentile(99) / 1000.0,
          overheadP50,
          cpu.self() - blocking.clientCpuNanos(),
          pgCpu,
          cpu.pilots(),
          cpu.runtimes(),
          pg,
          handOffs);
    } finally {
      for (Process p : processes) {
        p.destroy();
      }
      for (Process p : processes) {
        p.waitFor();
      }
      for (WhiskServer s : servers) {
        s.close();
      }
      for (int k = 1; k <= setup.servers(); k++) {
        // the pilots' logs stay in the directory
        ApiOverheadBenchmark.deleteTree(data.resolve(k == 1 ? "data" : "data-" + k));
      }
      if (database != null) {
        database.close();
      }
    }
  }

  private static PgStats pgStats(PrivatePostgres database) throws IOException {
    return PgStats.parse(database.psql(DATABASE, PgStats.query(DATABASE)));
  }

  /**
   * The counters once every backend has reported (an idle backend reports within 10 s; the servers'
   * heartbeats and polls in the meantime are a few transactions a second).
   */
  private static PgStats settledPgStats(PrivatePostgres database)
      throws IOException, InterruptedException {
    Thread.sleep(11_000);
    return pgStats(database);
  }

  /** Activations the servers wrote to the dispatch queue so far (0 on the embedded store). */
  private static long handOffs(List<WhiskServer> servers) {
    return servers.stream()
        .map(WhiskServer::cluster)
        .flatMap(Optional::stream)
        .map(ClusterDispatcher::counts)
        .mapToLong(ClusterDispatcher.Counts::queued)
        .sum();
  }

  /** CPU time (ns) of process {@code pid} and its descendants alive now. */
  private static long treeCpu(long pid) {
    return ProcessHandle.of(pid)
        .map(p -> CpuTimes.cpu(p) + p.descendants().mapToLong(CpuTimes::cpu).sum())
        .orElse(0L);
  }

  /**
   * CPU time used so far (ns) by this JVM (server and client threads), the pilot JVMs, and the
   * pilots' descendants (the action runtimes).
   */
  record CpuTimes(long self, long pilots, long runtimes) {
    static CpuTimes of(List<Process> pilots) {
      long pilotCpu = 0;
      long runtimeCpu = 0;
      for (Process p : pilots) {
        pilotCpu += cpu(p.toHandle());
        runtimeCpu += p.toHandle().descendants().mapToLong(CpuTimes::cpu).sum();
      }
      return new CpuTimes(cpu(ProcessHandle.current()), pilotCpu, runtimeCpu);
    }

    static long cpu(ProcessHandle p) {
      return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    CpuTimes minus(CpuTimes o) {
      return new CpuTimes(self - o.self, pilots - o.pilots, runtimes - o.runtimes);
    }

    /**
     * CPU microseconds per activation in each process group, and the share of the machine's cores
     * used.
     */
    String perActivation(ApiOverheadBenchmark.Result r) {
      double n = Math.max(1, r.requests());
      long server = self - r.clientCpuNanos();
      double cores = (self + pilots + runtimes) / (r.seconds() * 1e9);
      return String.format(
          "CPU per activation: client %.0f us, server %.0f us, pilot JVMs %.0f us, runtimes %.0f"
              + " us; total %.0f us (%.2f cores busy with the benchmark's processes)",
          r.clientCpuNanos() / n / 1000,
          server / n / 1000,
          pilots / n / 1000,
          runtimes / n / 1000,
          (self + pilots + runtimes) / n / 1000,
          cores);
    }
  }

  private static Process startPilot(
      String url,
      PilotCredentials credentials,
      int job,
      int memoryMb,
      Path dir,
      List<String> nsenter,
      Path ca)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
    String logging = System.getProperty("logback.configurationFile");
    if (logging != null) {
      command.add(1, "-Dlogback.configurationFile=" + logging);
    }
    String extra = System.getProperty("bench.pilotJvmOptions", "").strip();
    if (!extra.isEmpty()) {
      command.addAll(1, List.of(extra.replace("{job}", Integer.toString(job)).split("\\s+")));
    }
    command.add("io.hpcwhisk.pilot.PilotMain");
    command.addAll(0, nsenter); // the pilot JVM in a node's network namespace
    ProcessBuilder builder = new ProcessBuilder(command);
    long now = Instant.now().getEpochSecond();
    Map<String, String> env = builder.environment();
    env.put("SLURM_JOB_ID", Integer.toString(job));
    env.put("SLURMD_NODENAME", "bench-" + job);
    env.put("SLURM_JOB_START_TIME", Long.toString(now));
    env.put("SLURM_JOB_END_TIME", Long.toString(now + 3600));
    env.put("SLURM_CPUS_ON_NODE", "2");
    env.put("SLURM_MEM_PER_NODE", Integer.toString(memoryMb));
    env.put("HPC_WHISK_BALANCER_URL", url);
    if (ca != null) {
      env.put("HPC_WHISK_BALANCER_CA_FILE", ca.toString());
    }
    Path tokenFile = dir.resolve("pilot-" + job + ".token");
    Files.writeString(
        Files.createFile(
            tokenFile,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
        credentials.forJob(Integer.toString(job), Instant.now().plusSeconds(86_400)));
    env.put("HPC_WHISK_PILOT_TOKEN_FILE", tokenFile.toString());
    env.put("HPC_WHISK_PILOT_SANDBOX", "off");
    env.put("HPC_WHISK_PILOT_UNSANDBOXED_NAMESPACE", "guest"); // the benchmark's only namespace
    env.put("HPC_WHISK_GRACE", "10s");
    File log = dir.resolve("pilot-" + job + ".log").toFile();
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }

  /** The histogram's cumulative bucket counts, summed over the servers' timers. */
  private static double[] buckets(List<Timer> timers) {
    double[] out = null;
    for (Timer timer : timers) {
      CountAtBucket[] counts = timer.takeSnapshot().histogramCounts();
      if (out == null) {
        out = new double[counts.length];
      }
      for (int i = 0; i < counts.length; i++) {
        out[i] += counts[i].count();
      }
    }
    return out;
  }

  /**
   * The upper bound (ms) of the bucket holding quantile q of what was recorded between the
   * snapshots.
   */
  private static double percentile(Timer timer, double[] before, double[] after, double q) {
    CountAtBucket[] bounds = timer.takeSnapshot().histogramCounts();
    double total = after[after.length - 1] - before[before.length - 1];
    if (total <= 0) {
      return Double.NaN;
    }
    for (int i = 0; i < after.length; i++) {
      if (after[i] - before[i] >= q * total) {
        return bounds[i].bucket(TimeUnit.MILLISECONDS);
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
