package io.hpcwhisk.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The bubblewrap ({@code bwrap}) sandbox around each runtime process; what it isolates and what it
 * does not, and its start-up self-check ({@link #choose}), are stated in docs/pilot.md, "Action
 * isolation (the sandbox)".
 */
final class Sandbox {

  /** The host uid and gid actions run as when the pilot runs as root: {@code nobody}. */
  static final int DEFAULT_UID = 65534;

  private static final List<String> SECRET_DIRS =
      List.of(
          "/home",
          "/root",
          "/etc/munge",
          "/run/munge",
          "/var/run/munge",
          "/var/lib/munge",
          "/var/log/munge");
  private static final List<String> SLURM_GLOBS =
      List.of("/etc", "/var/spool", "/var/lib", "/var/log", "/run", "/var/run");

  /** Directories whose whole content must not be hidden when a secret file sits in them. */
  private static final Set<String> BROAD =
      Set.of(
          "/",
          "/etc",
          "/usr",
          "/usr/local",
          "/opt",
          "/var",
          "/var/lib",
          "/var/run",
          "/run",
          "/tmp",
          "/var/tmp",
          "/srv",
          "/home",
          "/root");

  private final boolean enabled;
  private final String problem;
  private final Path workRoot;
  private final boolean root;
  private final int uid;
  private final List<Path> hiddenDirs;
  private final List<Path> hiddenFiles;
  private final String bwrap;

  private Sandbox(
      boolean enabled,
      String problem,
      Path workRoot,
      boolean root,
      int uid,
      List<Path> hiddenDirs,
      List<Path> hiddenFiles,
      String bwrap) {
    this.bwrap = bwrap;
    this.enabled = enabled;
    this.problem = problem;
    this.workRoot = workRoot;
    this.root = root;
    this.uid = uid;
    this.hiddenDirs = hiddenDirs;
    this.hiddenFiles = hiddenFiles;
  }

  /**
   * The sandbox for {@code config}: OFF is off; BWRAP must pass the self-check (else an {@link
   * IllegalArgumentException} with the reason); AUTO is on when the self-check passes, else off
   * with {@link #problem()} saying why.
   */
  static Sandbox choose(RuntimeConfig config, Map<String, String> env) {
    return choose(config, env, "bwrap");
  }

  /**
   * As {@link #choose(RuntimeConfig, Map)} with the bubblewrap executable {@code bwrap} (tests
   * break it).
   */
  static Sandbox choose(RuntimeConfig config, Map<String, String> env, String bwrap) {
    Path workRoot = config.workDir().toAbsolutePath();
    boolean root = isRoot();
    List<Path> dirs = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    secrets(env, workRoot, config.sandboxHidden(), dirs, files);
    if (config.sandbox() == RuntimeConfig.Sandbox.OFF) {
      return new Sandbox(
          false, "pilot.sandbox is off", workRoot, root, config.sandboxUid(), dirs, files, bwrap);
    }
    Sandbox candidate =
        new Sandbox(true, null, workRoot, root, config.sandboxUid(), dirs, files, bwrap);
    Optional<String> failure = candidate.selfCheck();
    if (failure.isEmpty()) {
      return candidate;
    }
    if (config.sandbox() == RuntimeConfig.Sandbox.BWRAP) {
      throw new IllegalArgumentException(
          "pilot.sandbox is bwrap but the sandbox does not work here: " + failure.get());
    }
    return new Sandbox(
        false, failure.get(), workRoot, root, config.sandboxUid(), dirs, files, bwrap);
  }

  boolean enabled() {
    return enabled;
  }

  /** Why the sandbox is off (null when it is on). */
  String problem() {
    return problem;
  }

  /** The directories and files hidden from actions (for the log and the tests). */
  List<Path> hidden() {
    List<Path> all = new ArrayList<>(hiddenDirs);
    all.addAll(hiddenFiles);
    return all;
  }

  /**
   * Whether {@code bwrap} exists and the sandbox passes its self-check with defaults for {@code
   * workRoot}.
   */
  static boolean usable() {
    try {
      Path probe = Files.createTempDirectory("hpc-whisk-sandbox-probe");
      try {
        return choose(
                RuntimeConfig.defaults(probe, 64).withSandbox(RuntimeConfig.Sandbox.AUTO),
                System.getenv())
            .enabled();
      } finally {
        ActionContainer.deleteQuietly(probe);
      }
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Gives the runtime directory to the sandbox's uid (when the pilot is root), so the action may
   * write it.
   */
  void prepare(Path actionDir) throws IOException {
    if (!enabled || !root) {
      return;
    }
    try (var paths = Files.walk(actionDir)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  /** The command wrapped in bwrap when enabled; {@code readOnlyExtras} are bound back read-only. */
  List<String> wrap(List<String> command, Path actionDir, List<Path> readOnlyExtras) {
    if (!enabled) {
      return command;
    }
    List<String> argv =
        new ArrayList<>(
            List.of(
                bwrap,
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--perms",
                "1777",
                "--tmpfs",
                "/dev/shm",
                "--proc",
                "/proc",
                "--perms",
                "1777",
                "--tmpfs",
                "/tmp"));
    List<String> tmpfsRoots = new ArrayList<>(List.of("/tmp"));
    for (Path dir : hiddenDirs) {
      if (!under(dir.toString(), "/tmp")) {
        argv.addAll(List.of("--perms", "0755", "--tmpfs", dir.toString()));
        tmpfsRoots.add(dir.toString());
      }
    }
    for (Path file : hiddenFiles) {
      argv.addAll(List.of("--ro-bind", "/dev/null", file.toString()));
    }
    Set<String> made = new LinkedHashSet<>();
    for (Path extra : readOnlyExtras) {
      if (Files.exists(extra)) {
        parents(extra, tmpfsRoots, made, argv);
        argv.addAll(List.of("--ro-bind", extra.toString(), extra.toString()));
      }
    }
    Path own = actionDir.toAbsolutePath();
    parents(own, tmpfsRoots, made, argv);
    argv.addAll(List.of("--bind", own.toString(), own.toString(), "--chdir", own.toString()));
    argv.addAll(
        List.of(
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--die-with-parent",
            "--new-session"));
    if (root) {
      // bwrap mounts as root, then setpriv becomes the unprivileged uid: setuid clears every
      // capability
      argv.addAll(
          List.of(
              "--cap-drop",
              "ALL",
              "--cap-add",
              "CAP_SETUID",
              "--cap-add",
              "CAP_SETGID",
              "--cap-add",
              "CAP_SETPCAP",
              "--",
              "setpriv",
              "--reuid=" + uid,
              "--regid=" + uid,
              "--clear-groups",
              "--inh-caps=-all",
              "--bounding-set=-all",
              "--no-new-privs",
              "--"));
    } else {
      argv.addAll(
          List.of(
              "--unshare-user",
              "--uid",
              Integer.toString(DEFAULT_UID),
              "--gid",
              Integer.toString(DEFAULT_UID),
              "--cap-drop",
              "ALL",
              "--"));
    }
    argv.addAll(command);
    return argv;
  }

  /** Recreates, world-readable, the directories between a hidden root and {@code target}. */
  private static void parents(
      Path target, List<String> tmpfsRoots, Set<String> made, List<String> argv) {
    List<Path> chain = new ArrayList<>();
    for (Path p = target.getParent(); p != null; p = p.getParent()) {
      chain.add(0, p);
    }
    for (Path p : chain) {
      String s = p.toString();
      boolean hidden = tmpfsRoots.stream().anyMatch(r -> under(s, r) && !s.equals(r));
      if (hidden && made.add(s)) {
        argv.addAll(List.of("--perms", "0755", "--dir", s));
      }
    }
  }

  private static boolean under(String path, String dir) {
    return path.equals(dir) || path.startsWith(dir.endsWith("/") ? dir : dir + "/");
  }

  /**
   * Starts the sandbox around a shell that prints its capabilities; a reason when it does not work.
   */
  Optional<String> selfCheck() {
    Path dir = workRoot.resolve("sandbox-check");
    try {
      Files.createDirectories(dir);
      prepare(dir);
      List<String> argv =
          wrap(
              List.of("/bin/sh", "-c", "grep '^CapEff:' /proc/self/status; id -u"), dir, List.of());
      Process probe = new ProcessBuilder(argv).redirectErrorStream(true).start();
      byte[] bytes = probe.getInputStream().readNBytes(4096);
      if (!probe.waitFor(20, TimeUnit.SECONDS)) {
        probe.destroyForcibly();
        return Optional.of("bwrap did not start a shell within 20 s");
      }
      String out = new String(bytes, StandardCharsets.UTF_8).strip();
      if (probe.exitValue() != 0) {
        return Optional.of("bwrap exited with " + probe.exitValue() + ": " + tail(out));
      }
      if (!out.matches("(?s)CapEff:\\s*0+\\s+\\d+")) {
        return Optional.of(
            "the sandboxed shell kept capabilities or printed something unexpected: " + tail(out));
      }
      if (root && out.endsWith("\n0")) {
        return Optional.of("the sandboxed shell still ran as uid 0");
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot run " + bwrap + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while checking bwrap");
    } finally {
      ActionContainer.deleteQuietly(dir);
    }
  }

  private static String tail(String out) {
    String oneLine = out.replace('\n', ' ');
    return oneLine.length() > 300 ? oneLine.substring(oneLine.length() - 300) : oneLine;
  }

  /** The secret directories and files that exist here, as real paths. */
  private static void secrets(
      Map<String, String> env, Path workRoot, List<Path> extra, List<Path> dirs, List<Path> files) {
    Set<Path> candidates = new LinkedHashSet<>();
    SECRET_DIRS.forEach(d -> candidates.add(Path.of(d)));
    candidates.add(Path.of(System.getProperty("user.home")));
    candidates.add(Path.of(System.getProperty("user.home"), ".hpc-whisk"));
    for (String parent : SLURM_GLOBS) {
      try (DirectoryStream<Path> slurm = Files.newDirectoryStream(Path.of(parent), "slurm*")) {
        slurm.forEach(candidates::add);
      } catch (IOException e) {
        // no such directory here
      }
    }
    for (String variable : List.of("SLURM_CONF", "MUNGE_SOCKET", "HPC_WHISK_CONFIG")) {
      String value = env.get(variable);
      if (value != null && !value.isBlank()) {
        Path file = Path.of(value).toAbsolutePath();
        Path parent = file.getParent();
        if (parent != null && !BROAD.contains(parent.toString())) {
          candidates.add(parent);
        } else if (Files.isRegularFile(file)) {
          files.add(file);
        }
      }
    }
    candidates.add(workRoot);
    candidates.addAll(extra);
    Set<Path> real = new LinkedHashSet<>();
    for (Path candidate : candidates) {
      try {
        if (Files.isDirectory(candidate)) {
          real.add(candidate.toRealPath());
        } else if (Files.isRegularFile(candidate)) {
          files.add(candidate.toRealPath());
        }
      } catch (IOException e) {
        // vanished or unreadable: nothing to hide
      }
    }
    // a directory inside another hidden one is hidden with it
    for (Path dir : real) {
      if (real.stream().noneMatch(other -> !other.equals(dir) && dir.startsWith(other))) {
        dirs.add(dir);
      }
    }
  }

  private static boolean isRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return Integer.valueOf(0).equals(uid);
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
