package io.hpcwhisk.localcluster;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Slurm 24.11 from a {@link DebianRootfs}, every program run chrooted into it through one private
 * mount namespace (so nothing is ever left mounted on the host; {@link #stop} ends every process of
 * that namespace) with the root's own {@link #ROOT_PATH}; how it runs, and that its clients need
 * root, is stated in docs/local-cluster.md, "How it runs".
 */
final class ChrootSlurm extends SlurmInstallation {

  static final String HOLDER_PID = "run/rootfs-namespace.pid";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  /** The client programs that get a wrapper in {@code DIR/bin}. */
  static final List<String> CLIENTS =
      List.of(
          "sbatch",
          "squeue",
          "sinfo",
          "scancel",
          "scontrol",
          "sdiag",
          "sacct",
          "srun",
          "salloc",
          "sprio",
          "sshare",
          "sstat",
          "strigger");

  /**
   * The PATH every program in the root gets (and, through {@code sbatch --export=ALL}, every job):
   * the root's own programs, never the host's (a bound home directory may hold e.g. a pyenv shim
   * first on the caller's PATH).
   */
  static final String ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final DebianRootfs rootfs;

  ChrootSlurm(DebianRootfs rootfs) {
    this.rootfs = rootfs;
  }

  @Override
  public String version() {
    return DebianRootfs.SLURM_SERIES;
  }

  @Override
  public void ensureInstalled(boolean allowInstall, PrintStream out) {
    for (String tool : List.of("unshare", "nsenter")) {
      if (Commands.locate(tool).isEmpty()) {
        throw new LocalClusterException(
            tool + " is not installed (util-linux); Slurm 24.11 runs in a mount namespace");
      }
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new LocalClusterException("a Slurm 24.11 local cluster runs chrooted and needs root");
    }
    if (allowInstall && Commands.locate("debootstrap").isEmpty() && rootfs.verify().isPresent()) {
      Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
      out.println("Installing debootstrap with apt-get (use --no-install to refuse) ...");
      Commands.run(
              List.of("apt-get", "install", "-y", "-q", "debootstrap"), env, Duration.ofMinutes(5))
          .orThrow();
    }
    rootfs.ensure(allowInstall, out);
  }

  @Override
  public Optional<String> missing() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("a Slurm 24.11 local cluster runs chrooted and needs root");
    }
    return rootfs
        .verify()
        .map(
            why ->
                "the Slurm 24.11 root file system in "
                    + rootfs.cache()
                    + " is not usable: "
                    + why
                    + " (build it with `hpc-whisk local-cluster up --slurm 24.11`, or run the tests"
                    + " with CI=true)");
  }

  @Override
  void record(Properties p) {
    p.setProperty("rootfs", rootfs.cache().toString());
    p.setProperty("package", rootfs.slurmPackageVersion());
  }

  @Override
  public Map<String, String> extraConfig() {
    return Map.of(
        "cgroup.conf",
        "# written by hpc-whisk local-cluster up: no cgroup file system in the chroot\n"
            + "CgroupPlugin=disabled\n");
  }

  @Override
  String slurmConfExtra(Path dir) {
    return SlurmRestd.slurmConf(dir);
  }

  @Override
  Optional<URI> startServices(Path dir, LocalCluster cluster) {
    return Optional.of(SlurmRestd.start(dir, cluster.conf(), this, cluster));
  }

  @Override
  Optional<URI> restUrl(Path dir) {
    return SlurmRestd.url(dir);
  }

  @Override
  public void start(Path dir, PrintStream out) {
    super.start(dir, out);
    SlurmRestd.writeKey(dir);
    if (holder(dir).isPresent()) {
      writeWrappers(dir);
      return;
    }
    Path root = dir.resolve("rootfs");
    Path ready = dir.resolve("run/rootfs-namespace.ready");
    Path log = dir.resolve("log/rootfs-namespace.log");
    try {
      Files.createDirectories(dir.resolve("run"));
      Files.createDirectories(dir.resolve("log"));
      Files.deleteIfExists(ready);
      for (String sub : List.of("rootfs", "rootfs-upper", "rootfs-work")) {
        Path p = dir.resolve(sub);
        if (Files.isDirectory(p) && !sub.equals("rootfs")) {
          DebianRootfs.deleteTree(p); // a fresh writable layer for every start
        }
        Files.createDirectories(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    } catch (IOException e) {
      throw new LocalClusterException("cannot prepare " + root + ": " + e.getMessage(), e);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--",
                "/bin/sh",
                "-c",
                MOUNT_SCRIPT,
                "hpcw-rootfs",
                root.toString(),
                rootfs.root().toString(),
                dir.resolve("rootfs-upper").toString(),
                dir.resolve("rootfs-work").toString(),
                ready.toString()));
    command.addAll(sharedDirs(dir).stream().map(Path::toString).toList());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectErrorStream(true);
    Process process;
    try {
      process = builder.start();
      Files.writeString(dir.resolve(HOLDER_PID), process.pid() + "\n");
    } catch (IOException e) {
      throw new LocalClusterException(
          "cannot start the namespace of the Slurm 24.11 root: " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!Files.exists(ready)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new LocalClusterException(
            "the mount namespace of the Slurm 24.11 root did not come up"
                + (process.isAlive() ? " within " + READY_TIMEOUT.toSeconds() + " s" : "")
                + "; see "
                + log
                + ": "
                + Daemons.tail(log));
      }
      Daemons.pause(50);
    }
    Daemons.awaitStarted(dir.resolve(HOLDER_PID), "sleep", READY_TIMEOUT, log);
    writeWrappers(dir);
  }

  /**
   * Runs in the new mount namespace: $1 mount point, $2 cached root (lower), $3 upper, $4 work dir,
   * $5 ready file, then the shared directories. Nothing here is visible outside the namespace.
   */
  static final String MOUNT_SCRIPT =
      String.join(
          "\n",
          "set -eu",
          "R=$1; L=$2; U=$3; W=$4; READY=$5; shift 5",
          "mount -t overlay hpcw-slurm-rootfs -o \"lowerdir=$L,upperdir=$U,workdir=$W\" \"$R\"",
          "mount --bind /proc \"$R/proc\"",
          "mount --rbind /sys \"$R/sys\"",
          "mount --rbind /dev \"$R/dev\"",
          "for f in /etc/passwd /etc/group /etc/hosts; do touch \"$R$f\"; mount --bind \"$f\""
              + " \"$R$f\"; done",
          "for d in \"$@\"; do mkdir -p \"$R$d\"; mount --bind \"$d\" \"$R$d\"; done",
          "echo \"namespace of $R ready: $(grep -c . /proc/self/mountinfo) mounts\"",
          ": > \"$READY\"",
          "exec chroot \"$R\" /bin/sleep infinity");

  /** Directories bound into the root at their own paths, outermost first, none inside another. */
  static List<Path> sharedDirs(Path dir) {
    TreeSet<Path> wanted = new TreeSet<>(Comparator.comparing(Path::toString));
    wanted.add(dir);
    wanted.add(Path.of("/tmp"));
    wanted.add(Path.of(System.getProperty("user.home")));
    projectRoot().ifPresent(wanted::add);
    List<Path> result = new ArrayList<>();
    for (Path p :
        wanted.stream()
            .map(q -> q.toAbsolutePath().normalize())
            .sorted(Comparator.comparingInt(Path::getNameCount))
            .toList()) {
      if (p.getNameCount() > 0
          && Files.isDirectory(p)
          && result.stream().noneMatch(p::startsWith)) {
        result.add(p);
      }
    }
    return result;
  }

  /**
   * The HPC-Whisk checkout or installation this code runs from (the directory holding
   * config/pilot.sbatch).
   */
  static Optional<Path> projectRoot() {
    List<Path> starts = new ArrayList<>(List.of(Path.of("").toAbsolutePath()));
    try {
      starts.add(
          Path.of(ChrootSlurm.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (Exception ignored) {
      // no code source: the working directory alone
    }
    for (Path start : starts) {
      for (Path p = start; p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("config/pilot.sbatch"))) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private void writeWrappers(Path dir) {
    Path bin = dir.resolve("bin");
    try {
      Files.createDirectories(bin);
      for (String client : CLIENTS) {
        Path file = bin.resolve(client);
        Files.writeString(
            file,
            "#!/bin/sh\n"
                + "# Slurm "
                + version()
                + " client of the local cluster in "
                + dir
                + ": runs /usr/bin/"
                + client
                + " in its\n# Debian 13 root (written by hpc-whisk local-cluster up; needs root).\n"
                + "if [ \"$(id -u)\" != 0 ]; then\n"
                + "  echo \""
                + client
                + ": the clients of the Slurm "
                + version()
                + " local cluster in "
                + dir
                + " run chrooted and need root\" >&2\n"
                + "  exit 1\n"
                + "fi\n"
                + "pid=$(cat '"
                + dir.resolve(HOLDER_PID)
                + "' 2>/dev/null)\n"
                + "if [ -z \"$pid\" ] || [ \"$(readlink /proc/$pid/exe 2>/dev/null)\" != '"
                + dir.resolve("rootfs")
                + "/usr/bin/sleep' ] && [ \"$(readlink /proc/$pid/root 2>/dev/null)\" != '"
                + dir.resolve("rootfs")
                + "' ]; then\n"
                + "  echo \""
                + client
                + ": the Slurm "
                + version()
                + " local cluster in "
                + dir
                + " is not running\" >&2\n"
                + "  exit 1\n"
                + "fi\n"
                + "exec nsenter -t \"$pid\" -m -r -w -- /usr/bin/env PATH="
                + ROOT_PATH
                + " /bin/sh -c "
                + "'cd \"$0\" 2>/dev/null || cd /; exec \"$@\"' \"$PWD\" /usr/bin/"
                + client
                + " \"$@\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    } catch (IOException e) {
      throw new LocalClusterException(
          "cannot write the client wrappers in " + bin + ": " + e.getMessage(), e);
    }
  }

  private static Optional<ProcessHandle> holder(Path dir) {
    return Daemons.alive(dir.resolve(HOLDER_PID), "sleep");
  }

  @Override
  public int stop(Path dir) {
    Optional<ProcessHandle> holder = holder(dir);
    if (holder.isEmpty()) {
      return 0;
    }
    String namespace = mountNamespace(holder.get().pid()).orElse("");
    int stopped = SlurmRestd.stop(dir) ? 1 : 0;
    // Whatever still runs in the namespace (a job's leftovers, a stray client) would keep its
    // mounts alive.
    List<ProcessHandle> inside =
        ProcessHandle.allProcesses()
            .filter(
                p ->
                    p.pid() != holder.get().pid()
                        && !namespace.isEmpty()
                        && namespace.equals(mountNamespace(p.pid()).orElse(null)))
            .toList();
    inside.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : inside) {
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
      stopped++;
    }
    if (Daemons.stop(dir.resolve(HOLDER_PID), "sleep", Duration.ofSeconds(5))) {
      stopped++;
    }
    return stopped;
  }

  static Optional<String> mountNamespace(long pid) {
    try {
      return Optional.of(
          Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "mnt")).toString());
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<String> command(Path dir, String program, List<String> args) {
    ProcessHandle h =
        holder(dir)
            .orElseThrow(
                () ->
                    new LocalClusterException(
                        "the Slurm 24.11 root of the local cluster in "
                            + dir
                            + " is not mounted (its namespace is not running)"));
    String inside =
        program.startsWith("/")
            ? program
            : List.of("slurmctld", "slurmd", "slurmrestd", "munged", "mungekey").contains(program)
                ? "/usr/sbin/" + program
                : "/usr/bin/" + program;
    List<String> command =
        new ArrayList<>(
            List.of(
                "nsenter",
                "-t",
                Long.toString(h.pid()),
                "-m",
                "-r",
                "-w",
                "--",
                "/usr/bin/env",
                "PATH=" + ROOT_PATH,
                "/bin/sh",
                "-c",
                "cd \"$0\" 2>/dev/null || cd /; exec \"$@\"",
                Path.of("").toAbsolutePath().toString(),
                inside));
    command.addAll(args);
    return command;
  }

  @Override
  public Optional<Path> clientBinDir(Path dir) {
    return Optional.of(dir.resolve("bin"));
  }

  @Override
  public Path pilotJavaHome() {
    return DebianRootfs.JAVA_HOME;
  }
}
