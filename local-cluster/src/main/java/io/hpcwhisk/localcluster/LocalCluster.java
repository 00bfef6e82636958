package io.hpcwhisk.localcluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real multi-node Slurm cluster on this machine, kept entirely under one directory; the layout,
 * the idempotent {@link #up}, {@link #down} by the recorded pid files and the caveats are stated in
 * docs/local-cluster.md.
 */
public final class LocalCluster {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");

  private final Path dir;
  private final SlurmInstallation slurm;

  /**
   * The cluster in {@code dir}, on the Slurm it was started with (recorded there), else the default
   * 22.05.
   */
  public LocalCluster(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
    this.slurm = SlurmInstallation.recorded(this.dir);
  }

  /**
   * The cluster in {@code dir} on the given Slurm installation ({@link
   * SlurmInstallation#forVersion}).
   */
  public LocalCluster(Path dir, SlurmInstallation slurm) {
    this.dir = dir.toAbsolutePath().normalize();
    this.slurm = slurm;
  }

  /** The Slurm this cluster runs. */
  public SlurmInstallation slurm() {
    return slurm;
  }

  /** Where this cluster's Slurm clients are (for {@code slurm.bin-dir}); empty: the PATH. */
  public Optional<Path> clientBinDir() {
    return slurm.clientBinDir(dir);
  }

  public Path dir() {
    return dir;
  }

  public Path conf() {
    return dir.resolve("slurm.conf");
  }

  /** The environment a Slurm client needs to talk to this cluster. */
  public Map<String, String> clientEnv() {
    return Map.of("SLURM_CONF", conf().toString());
  }

  /** Runs a Slurm client command against this cluster. */
  public CommandResult run(List<String> command) {
    return Commands.run(
        slurm.command(dir, command.get(0), command.subList(1, command.size())),
        clientEnv(),
        COMMAND_TIMEOUT);
  }

  /** Whether slurmctld and every slurmd recorded for this directory are running. */
  public boolean isRunning() {
    Optional<LocalClusterSpec> spec = recordedSpec();
    return spec.isPresent() && runningDaemons(spec.get()) == spec.get().nodes() + 2;
  }

  /** The spec this directory's cluster was last started with, if any. */
  public Optional<LocalClusterSpec> recordedSpec() {
    Path file = dir.resolve("cluster.properties");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
      return Optional.of(
          new LocalClusterSpec(
              dir,
              Integer.parseInt(p.getProperty("nodes")),
              Integer.parseInt(p.getProperty("cpus")),
              Integer.parseInt(p.getProperty("memoryMb")),
              Integer.parseInt(p.getProperty("graceSeconds")),
              OptionalInt.of(Integer.parseInt(p.getProperty("portBase"))),
              Integer.parseInt(p.getProperty("gpus", "0"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Starts the cluster described by {@code spec} (whose directory must be this one) and waits until
   * every node is idle.
   *
   * @return true if daemons were started, false if the same cluster was already running
   */
  public boolean up(LocalClusterSpec spec, boolean allowInstall, PrintStream out) {
    return up(spec, allowInstall, out, false);
  }

  /**
   * As above; with {@code isolatedNodes} every slurmd runs in its own network namespace on a
   * private network ({@link NodeNetwork}), and slurmctld is reached at the host side's address of
   * that network.
   */
  public boolean up(
      LocalClusterSpec spec, boolean allowInstall, PrintStream out, boolean isolatedNodes) {
    if (!spec.dir().equals(dir)) {
      throw new IllegalArgumentException("spec directory " + spec.dir() + " is not " + dir);
    }
    slurm.ensureInstalled(allowInstall, out);
    Optional<LocalClusterSpec> recorded = recordedSpec();
    if (recorded.isPresent()
        && runningDaemons(recorded.get()) > 0
        && !SlurmInstallation.recorded(dir).version().equals(slurm.version())) {
      throw new LocalClusterException(
          "a cluster on Slurm "
              + SlurmInstallation.recorded(dir).version()
              + " is running in "
              + dir
              + "; run `hpc-whisk local-cluster down --dir "
              + dir
              + "` first");
    }
    if (recorded.isPresent() && runningDaemons(recorded.get()) > 0) {
      LocalClusterSpec running = recorded.get();
      if (network().isPresent() != isolatedNodes) {
        throw new LocalClusterException(
            "a cluster "
                + (isolatedNodes ? "without" : "with")
                + " isolated nodes is"
                + " running in "
                + dir
                + "; run `hpc-whisk local-cluster down --dir "
                + dir
                + "` first");
      }
      if (sameShape(running, spec) && isRunning()) {
        slurm.startServices(dir, this);
        return false;
      }
      if (!sameShape(running, spec)) {
        throw new LocalClusterException(
            "a cluster with other settings ("
                + describe(running)
                + ") is running in "
                + dir
                + "; run `hpc-whisk local-cluster down --dir "
                + dir
                + "` first");
      }
      out.println("Some daemons of the cluster in " + dir + " are not running; restarting it.");
      down(out);
    }
    // a network left by a start that crashed (nothing of this cluster runs now): removed first
    NodeNetwork.recorded(dir).ifPresent(stale -> stale.down(out));
    int portBase = choosePorts(spec);
    try {
      prepareDirectories(spec);
      Optional<NodeNetwork> network = Optional.empty();
      if (isolatedNodes) {
        NodeNetwork planned = NodeNetwork.plan(dir, spec.nodes());
        planned.up(out);
        network = Optional.of(planned);
      }
      slurm.start(dir, out);
      writeConfig(spec, portBase, network);
      for (Map.Entry<String, String> extra : slurm.extraConfig().entrySet()) {
        Files.writeString(dir.resolve(extra.getKey()), extra.getValue());
      }
      startMunge();
      startSlurm(spec);
      awaitIdle(spec);
      slurm.startServices(dir, this);
      return true;
    } catch (RuntimeException | IOException e) {
      out.println("Start failed; stopping what was started.");
      down(out);
      throw e instanceof RuntimeException r
          ? r
          : new LocalClusterException(
              "cannot write the configuration in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Cancels every job and stops the daemons recorded in this directory's pid files.
   *
   * @return the number of daemons stopped
   */
  public int down(PrintStream out) {
    int stopped = 0;
    LocalClusterSpec spec = recordedSpec().orElse(null);
    if (spec != null && Daemons.alive(pidFile("slurmctld"), "slurmctld").isPresent()) {
      cancelAllJobs();
    }
    List<String> nodes = spec == null ? List.of() : nodeNames(spec.nodes());
    for (String node : nodes) {
      if (Daemons.stop(pidFile("slurmd-" + node), "slurmd", Duration.ofSeconds(10))) {
        stopped++;
      }
    }
    if (Daemons.stop(pidFile("slurmctld"), "slurmctld", Duration.ofSeconds(10))) {
      stopped++;
    }
    if (Daemons.stop(mungeDir().resolve("run/munged.pid"), "munged", Duration.ofSeconds(5))) {
      stopped++;
    }
    int installation = slurm.stop(dir);
    NodeNetwork.recorded(dir).ifPresent(network -> network.down(out));
    return stopped + installation;
  }

  /**
   * Nodes, partitions and queue as Slurm reports them, or a line saying the cluster is not running.
   */
  public String status() {
    Optional<LocalClusterSpec> spec = recordedSpec();
    if (spec.isEmpty() || runningDaemons(spec.get()) == 0) {
      return "No local cluster is running in " + dir + ".";
    }
    StringBuilder text = new StringBuilder();
    text.append("Local cluster in ")
        .append(dir)
        .append(": ")
        .append(describe(spec.get()))
        .append(isRunning() ? "" : " (some daemons are not running)")
        .append('\n')
        .append("Slurm ")
        .append(slurmVersion())
        .append('\n')
        .append("export SLURM_CONF=")
        .append(conf())
        .append('\n')
        .append(clientBinDir().map(b -> "export PATH=" + b + ":$PATH\n").orElse(""))
        .append(
            restUrl()
                .map(u -> "REST: " + u + " (slurmrestd; JWT in " + restTokenFile() + ")\n")
                .orElse(""))
        .append('\n');
    text.append("Nodes:\n")
        .append(run(List.of("sinfo", "-N", "-o", "%8N %10T %5c %8m %P")).stdout())
        .append('\n');
    text.append("Partitions:\n")
        .append(run(List.of("sinfo", "-o", "%10P %5a %10l %6D %10T %N")).stdout())
        .append('\n');
    text.append("Queue:\n")
        .append(run(List.of("squeue", "-o", "%8i %9P %20j %8T %10M %10l %6D %R")).stdout());
    return text.toString();
  }

  /** The private network of the nodes, when the cluster was started with isolated nodes. */
  public Optional<NodeNetwork> network() {
    return NodeNetwork.recorded(dir);
  }

  /** How to use the cluster, printed after {@code up}. */
  public String usage(LocalClusterSpec spec) {
    return "Local Slurm cluster running in "
        + dir
        + ": "
        + describe(spec)
        + "\n"
        + network()
            .map(
                n ->
                    "Isolated nodes on "
                        + n.subnet()
                        + ": slurmctld and the host side at "
                        + n.hostAddress()
                        + ", nodes at "
                        + n.nodeAddresses()
                        + " (network namespaces "
                        + n.namespace(1)
                        + (n.nodes() > 1 ? " ... " + n.namespace(n.nodes()) : "")
                        + ")\n")
            .orElse("")
        + "Partitions: batch (default) and whisk (preemptible, GraceTime="
        + spec.graceSeconds()
        + "s).\n"
        + "Use it with:\n"
        + "  export SLURM_CONF="
        + conf()
        + "\n"
        + clientBinDir()
            .map(b -> "  export PATH=" + b + ":$PATH   # Slurm " + slurm.version() + "'s clients\n")
            .orElse("")
        + "  sinfo; sbatch -p batch --wrap 'sleep 60'; squeue\n"
        + restUrl()
            .map(
                u ->
                    "REST: "
                        + u
                        + " (slurmrestd, JWT auth; a token for "
                        + System.getProperty("user.name")
                        + " is in "
                        + restTokenFile()
                        + ")\n")
            .orElse("")
        + "Stop it with: hpc-whisk local-cluster down --dir "
        + dir
        + "\n";
  }

  /** The URL of this cluster's slurmrestd (Slurm 24.11 clusters), while it runs. */
  public Optional<URI> restUrl() {
    return slurm.restUrl(dir);
  }

  /**
   * The file {@code up} wrote a JWT for the calling user into (mode 0600; Slurm 24.11 clusters).
   */
  public Path restTokenFile() {
    return SlurmRestd.token(dir);
  }

  /**
   * Writes a fresh token into {@link #restTokenFile()} ({@code scontrol token}, lifespan 7 days).
   */
  public void mintRestToken() {
    SlurmRestd.mintToken(dir, this);
  }

  /** What {@code sinfo --version} of this cluster's Slurm prints, e.g. {@code slurm 24.11.5}. */
  public String slurmVersion() {
    CommandResult r = run(List.of("sinfo", "--version"));
    return r.ok() ? r.stdout().strip() : "(sinfo --version failed: " + r.tail() + ")";
  }

  static List<String> nodeNames(int count) {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      names.add("n" + i);
    }
    return names;
  }

  private static boolean sameShape(LocalClusterSpec a, LocalClusterSpec b) {
    return a.nodes() == b.nodes()
        && a.cpus() == b.cpus()
        && a.memoryMb() == b.memoryMb()
        && a.graceSeconds() == b.graceSeconds()
        && (b.portBase().isEmpty() || a.portBase().equals(b.portBase()));
  }

  private static String describe(LocalClusterSpec spec) {
    return spec.nodes()
        + " nodes x "
        + spec.cpus()
        + " CPUs, "
        + spec.memoryMb()
        + " MB, grace "
        + spec.graceSeconds()
        + " s, ports "
        + spec.portBase().orElse(0)
        + "-"
        + (spec.portBase().orElse(0) + spec.nodes());
  }

  private int runningDaemons(LocalClusterSpec spec) {
    int count = Daemons.alive(pidFile("slurmctld"), "slurmctld").isPresent() ? 1 : 0;
    count += Daemons.alive(mungeDir().resolve("run/munged.pid"), "munged").isPresent() ? 1 : 0;
    for (String node : nodeNames(spec.nodes())) {
      count += Daemons.alive(pidFile("slurmd-" + node), "slurmd").isPresent() ? 1 : 0;
    }
    return count;
  }

  private int choosePorts(LocalClusterSpec spec) {
    int count = spec.nodes() + 1;
    if (spec.portBase().isPresent()) {
      int taken = Ports.firstTaken(spec.portBase().getAsInt(), count);
      if (taken >= 0) {
        throw new IllegalArgumentException(
            "port "
                + taken
                + " is in use; --port-base "
                + spec.portBase().getAsInt()
                + " needs "
                + count
                + " free ports (or leave --port-base out to pick free ones)");
      }
      return spec.portBase().getAsInt();
    }
    return Ports.pick(dir, count);
  }

  private Path pidFile(String name) {
    return dir.resolve("run").resolve(name + ".pid");
  }

  private Path mungeDir() {
    return dir.resolve("munge");
  }

  private void prepareDirectories(LocalClusterSpec spec) {
    try {
      for (String sub : List.of("run", "log", "state", "spool", "munge/run")) {
        Files.createDirectories(dir.resolve(sub));
      }
      for (String node : nodeNames(spec.nodes())) {
        Files.createDirectories(dir.resolve("spool").resolve(node));
      }
      Path keyDir = Files.createDirectories(mungeDir().resolve("key"));
      Files.setPosixFilePermissions(keyDir, PosixFilePermissions.fromString("rwx------"));
      for (Path open : List.of(dir, mungeDir(), mungeDir().resolve("run"))) {
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    } catch (IOException e) {
      throw new LocalClusterException(
          "cannot create the cluster directories under " + dir + ": " + e.getMessage(), e);
    }
  }

  private void writeConfig(LocalClusterSpec spec, int portBase, Optional<NodeNetwork> network) {
    String nodeList = spec.nodes() == 1 ? "n1" : "n[1-" + spec.nodes() + "]";
    String nodePorts =
        spec.nodes() == 1
            ? String.valueOf(portBase + 1)
            : (portBase + 1) + "-" + (portBase + spec.nodes());
    Map<String, String> values = new LinkedHashMap<>();
    values.put(
        "CLUSTER_NAME", "hpcw" + Integer.toHexString(dir.toString().hashCode()).replace("-", ""));
    values.put("DIR", dir.toString());
    values.put("USER", System.getProperty("user.name"));
    values.put("MUNGE_SOCKET", mungeDir().resolve("run/munge.sock").toString());
    values.put("CTLD_PORT", String.valueOf(portBase));
    values.put("SLURMD_PORT", String.valueOf(portBase + 1));
    values.put("NODE_LIST", nodeList);
    values.put("NODE_PORTS", nodePorts);
    values.put("CPUS", String.valueOf(spec.cpus()));
    values.put("MEMORY_MB", String.valueOf(spec.memoryMb()));
    values.put("GRACE_SECONDS", String.valueOf(spec.graceSeconds()));
    // isolated nodes: slurmctld at the host side of the nodes' network, each node at its own
    // address
    values.put("CTLD_ADDR", network.map(n -> "(" + n.hostAddress() + ")").orElse(""));
    values.put("NODE_ADDR", network.map(n -> " NodeAddr=" + n.nodeAddresses()).orElse(""));
    values.put("GRES_TYPES", spec.gpus() > 0 ? "GresTypes=gpu" : "# GresTypes: no GPUs declared");
    values.put("NODE_GRES", spec.gpus() > 0 ? " Gres=gpu:" + spec.gpus() : "");
    values.put("SELECT_TYPE", spec.gpus() > 0 ? "select/cons_tres" : "select/linear");
    values.put("EXCLUSIVE", spec.gpus() > 0 ? " OverSubscribe=EXCLUSIVE" : "");
    Properties recorded = new Properties();
    recorded.setProperty("nodes", String.valueOf(spec.nodes()));
    recorded.setProperty("cpus", String.valueOf(spec.cpus()));
    recorded.setProperty("memoryMb", String.valueOf(spec.memoryMb()));
    recorded.setProperty("graceSeconds", String.valueOf(spec.graceSeconds()));
    recorded.setProperty("portBase", String.valueOf(portBase));
    recorded.setProperty("gpus", String.valueOf(spec.gpus()));
    try {
      Files.writeString(conf(), fill(template(), values) + slurm.slurmConfExtra(dir));
      writeGres(spec);
      try (var writer = Files.newBufferedWriter(dir.resolve("cluster.properties"))) {
        recorded.store(writer, "written by hpc-whisk local-cluster up");
      }
    } catch (IOException e) {
      throw new LocalClusterException("cannot write " + conf() + ": " + e.getMessage(), e);
    }
  }

  /**
   * With {@code --gpus N}: {@code gres.conf} next to {@code slurm.conf}, naming N fake device files
   * {@code gpu/nvidia0..N-1} in the cluster directory (links to {@code /dev/null}: slurmd wants
   * character devices and only looks at them), so that Slurm allocates GPUs and sets {@code
   * CUDA_VISIBLE_DEVICES} and {@code SLURM_JOB_GPUS} for jobs that ask for them ({@code
   * --gres=gpu:K}); without, no gres.conf.
   */
  private void writeGres(LocalClusterSpec spec) throws IOException {
    Path gres = dir.resolve("gres.conf");
    if (spec.gpus() == 0) {
      Files.deleteIfExists(gres);
      return;
    }
    Path devices = Files.createDirectories(dir.resolve("gpu"));
    for (int i = 0; i < spec.gpus(); i++) {
      Path device = devices.resolve("nvidia" + i);
      if (!Files.exists(device, LinkOption.NOFOLLOW_LINKS)) {
        // slurmd wants a character device: a link to /dev/null is one, and grants nothing
        Files.createSymbolicLink(device, Path.of("/dev/null"));
      }
    }
    String files =
        spec.gpus() == 1
            ? devices.resolve("nvidia0").toString()
            : devices.resolve("nvidia[0-" + (spec.gpus() - 1) + "]").toString();
    Files.writeString(
        gres,
        "# gres.conf for an HPC-Whisk local cluster, written by `hpc-whisk local-cluster up --gpus "
            + spec.gpus()
            + "`.\n"
            + "# Fake GPUs: links to /dev/null stand for the device files; nothing computes on"
            + " them.\n"
            + "Name=gpu File="
            + files
            + "\n");
  }

  /**
   * Replaces every {@code ${NAME}} in {@code template}; an unknown name is an error, not a blank.
   */
  static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException(
            "slurm.conf template uses unknown placeholder ${" + m.group(1) + "}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String template() {
    try (InputStream in = LocalCluster.class.getResourceAsStream("slurm.conf.template")) {
      if (in == null) {
        throw new IllegalStateException("slurm.conf.template is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void startMunge() {
    Path munge = mungeDir();
    Path pid = munge.resolve("run/munged.pid");
    if (Daemons.alive(pid, "munged").isPresent()) {
      return;
    }
    Path key = munge.resolve("key/munge.key");
    if (!Files.isRegularFile(key)) {
      Commands.run(
              slurm.command(dir, "mungekey", List.of("--create", "--keyfile=" + key)),
              Map.of(),
              COMMAND_TIMEOUT)
          .orThrow();
    }
    Commands.run(
            slurm.command(
                dir,
                "munged",
                List.of(
                    "--force",
                    "--socket=" + munge.resolve("run/munge.sock"),
                    "--key-file=" + key,
                    "--pid-file=" + pid,
                    "--log-file=" + munge.resolve("munged.log"),
                    "--seed-file=" + munge.resolve("key/munged.seed"))),
            Map.of(),
            COMMAND_TIMEOUT)
        .orThrow();
    Daemons.awaitStarted(pid, "munged", Duration.ofSeconds(10), munge.resolve("munged.log"));
  }

  private void startSlurm(LocalClusterSpec spec) {
    Map<String, String> env = clientEnv();
    if (Daemons.alive(pidFile("slurmctld"), "slurmctld").isEmpty()) {
      Commands.run(
              slurm.command(dir, "slurmctld", List.of("-f", conf().toString(), "-c")),
              env,
              COMMAND_TIMEOUT)
          .orThrow();
      Daemons.awaitStarted(
          pidFile("slurmctld"),
          "slurmctld",
          Duration.ofSeconds(20),
          dir.resolve("log/slurmctld.log"));
    }
    Optional<NodeNetwork> network = network();
    for (String node : nodeNames(spec.nodes())) {
      if (Daemons.alive(pidFile("slurmd-" + node), "slurmd").isEmpty()) {
        List<String> command = new ArrayList<>();
        network.ifPresent(n -> command.addAll(n.exec(Integer.parseInt(node.substring(1)))));
        command.addAll(slurm.command(dir, "slurmd", List.of("-f", conf().toString(), "-N", node)));
        Commands.run(command, env, COMMAND_TIMEOUT).orThrow();
      }
    }
    for (String node : nodeNames(spec.nodes())) {
      Daemons.awaitStarted(
          pidFile("slurmd-" + node),
          "slurmd",
          Duration.ofSeconds(20),
          dir.resolve("log/slurmd-" + node + ".log"));
    }
  }

  /**
   * Starts slurmctld again after it stopped (a crash, a fault test), recovering its saved state (no
   * {@code -c}: jobs and nodes are kept), and waits until it answers.
   */
  public void restartSlurmctld() {
    if (Daemons.alive(pidFile("slurmctld"), "slurmctld").isPresent()) {
      return;
    }
    Commands.run(
            slurm.command(dir, "slurmctld", List.of("-f", conf().toString())),
            clientEnv(),
            COMMAND_TIMEOUT)
        .orThrow();
    Daemons.awaitStarted(
        pidFile("slurmctld"),
        "slurmctld",
        Duration.ofSeconds(20),
        dir.resolve("log/slurmctld.log"));
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline && !run(List.of("sinfo", "-h")).ok()) {
      Daemons.pause(200);
    }
  }

  /**
   * Starts the services beside the daemons again when they stopped (24.11: slurmrestd) and mints a
   * fresh token.
   */
  public void restartServices() {
    slurm.startServices(dir, this);
  }

  /**
   * Cancels every job and waits until all nodes are idle again: a clean slate for the next test.
   */
  public void reset() {
    LocalClusterSpec spec =
        recordedSpec()
            .orElseThrow(() -> new LocalClusterException("no cluster was started in " + dir));
    restartSlurmctld(); // a test that stopped it and failed before starting it again
    cancelAllJobs();
    awaitIdle(spec);
    if (restUrl().isEmpty()) {
      slurm.startServices(dir, this);
    }
  }

  private void awaitIdle(LocalClusterSpec spec) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      CommandResult r = run(List.of("sinfo", "-h", "-N", "-p", "batch", "-o", "%N %T"));
      if (r.ok()) {
        last = r.stdout().strip();
        long idle = last.lines().filter(l -> l.endsWith(" idle")).count();
        if (idle == spec.nodes()) {
          return;
        }
      }
      Daemons.pause(200);
    }
    throw new LocalClusterException(
        "nodes did not become idle within "
            + START_TIMEOUT.toSeconds()
            + " s (sinfo: "
            + last.replace('\n', ',')
            + "); see "
            + dir.resolve("log"));
  }

  private void cancelAllJobs() {
    CommandResult jobs = run(List.of("squeue", "-h", "-o", "%i"));
    if (!jobs.ok() || jobs.stdout().isBlank()) {
      return;
    }
    List<String> cancel = new ArrayList<>(List.of("scancel"));
    jobs.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).forEach(cancel::add);
    run(cancel);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      CommandResult left =
          run(List.of("squeue", "-h", "-t", "RUNNING,COMPLETING,PENDING", "-o", "%i"));
      if (!left.ok() || left.stdout().isBlank()) {
        return;
      }
      Daemons.pause(200);
    }
  }
}
