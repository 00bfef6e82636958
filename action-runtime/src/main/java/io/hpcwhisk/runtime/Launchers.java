package io.hpcwhisk.runtime;

import io.hpcwhisk.runtime.javaloop.JavaActionLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Builds the command line that starts a runtime process for one action: a {@code /bin/sh} wrapper
 * that sets the address-space limit (for python and native; node and java get heap flags instead,
 * since their VMs reserve far more address space than they use), opens the result fifo as fd 3 and
 * execs the interpreter with HPC-Whisk's launcher, optionally inside bubblewrap. SIGTERM is ignored
 * (inherited across exec; node's launcher and java's {@code -Xrs} keep it so): Slurm signals every
 * process of a preempted job, and in-flight activations must be able to finish during the drain.
 */
final class Launchers {

  /** Share of the action's memory given to the node/java heap; the rest is for the VM itself. */
  private static final double HEAP_SHARE = 0.75;

  private final RuntimeConfig config;
  private final LauncherFiles files;
  private final Sandbox sandbox;
  private final Map<String, Path> resolved = new ConcurrentHashMap<>();

  Launchers(RuntimeConfig config, Path launcherDir) {
    this.config = config;
    this.files = new LauncherFiles(launcherDir);
    this.sandbox = Sandbox.choose(config, System.getenv());
  }

  boolean sandboxed() {
    return sandbox.enabled();
  }

  /** Why actions run without the sandbox (null when they run in it). */
  String sandboxProblem() {
    return sandbox.problem();
  }

  /** What the sandbox hides (empty when off). */
  List<Path> sandboxHides() {
    return sandbox.enabled() ? sandbox.hidden() : List.of();
  }

  /** Makes a runtime directory writable for the sandboxed action. */
  void prepare(Path actionDir) throws IOException {
    sandbox.prepare(actionDir);
  }

  List<String> command(ActionKind kind, Path entry, Path actionDir, Path fifo, int memoryMb) {
    int heapMb = Math.max(16, (int) (memoryMb * HEAP_SHARE));
    List<String> interpreterCommand = new ArrayList<>();
    List<Path> readOnly = new ArrayList<>();
    String addressLimit = "unlimited";
    switch (kind) {
      case NODEJS -> {
        Path node = interpreter(config.node(), "process.stdout.write(process.execPath)");
        interpreterCommand.addAll(
            List.of(
                node.toString(),
                "--max-old-space-size=" + heapMb,
                files.nodeLauncher().toString()));
        readOnly.add(node.getParent().getParent());
        readOnly.add(files.nodeLauncher());
      }
      case PYTHON -> {
        Path python = interpreter(config.python(), "import sys; sys.stdout.write(sys.executable)");
        interpreterCommand.addAll(
            List.of(python.toString(), "-B", files.pythonLauncher().toString()));
        readOnly.add(python.getParent().getParent());
        readOnly.add(files.pythonLauncher());
        addressLimit = Long.toString(memoryMb * 1024L);
      }
      case JAVA -> {
        Path jar = files.javaLauncherJar();
        interpreterCommand.addAll(
            List.of(
                config.java(),
                "-Xmx" + heapMb + "m",
                "-Xss512k",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-Xrs",
                "--add-opens",
                "java.base/java.util=ALL-UNNAMED",
                "-cp",
                jar.toString(),
                JavaActionLoop.class.getName()));
        readOnly.add(jar);
      }
      case NATIVE -> {
        interpreterCommand.add(entry.toString());
        addressLimit = Long.toString(memoryMb * 1024L);
      }
      default -> throw new IllegalStateException("unhandled kind " + kind);
    }
    List<String> inner = sandbox.wrap(interpreterCommand, actionDir, readOnly);
    List<String> argv =
        new ArrayList<>(
            List.of(
                "/bin/sh",
                "-c",
                "trap '' TERM; ulimit -v \"$1\" 2>/dev/null || exit 97; fifo=\"$2\"; shift 2; exec"
                    + " \"$@\" 3>\"$fifo\"",
                "hpc-whisk-runtime",
                addressLimit,
                fifo.toString()));
    argv.addAll(inner);
    return argv;
  }

  /**
   * The real interpreter behind a name on PATH, asked once from the interpreter itself, so version
   * manager shims (pyenv, nvm) are not run on every start.
   */
  private Path interpreter(String name, String printExecutable) {
    // Probed outside the map's lock: a probe is a process start (seconds on a loaded node), and
    // computeIfAbsent would hold the lock of the map's bin for that long, stopping the cold starts
    // of every kind in the same bin. Two threads may probe the same name at once; the first answer
    // is kept.
    Path known = resolved.get(name);
    if (known != null) {
      return known;
    }
    Path probed = probe(name, printExecutable);
    Path earlier = resolved.putIfAbsent(name, probed);
    return earlier != null ? earlier : probed;
  }

  private static Path probe(String n, String printExecutable) {
    String flag = n.contains("node") ? "-e" : "-c";
    try {
      Process process =
          new ProcessBuilder(n, flag, printExecutable).redirectErrorStream(true).start();
      String out =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0 && !out.isEmpty()) {
        return Path.of(out);
      }
      throw new IllegalStateException(
          "cannot run " + n + ": exit " + process.exitValue() + ": " + out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + n + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while locating " + n, e);
    }
  }

  /** Resolves every interpreter now, so the first activation of a kind does not pay for it. */
  void warmUp() {
    try {
      interpreter(config.node(), "process.stdout.write(process.execPath)");
    } catch (IllegalStateException e) {
      // node missing: nodejs actions will fail with the reason.
    }
    try {
      interpreter(config.python(), "import sys; sys.stdout.write(sys.executable)");
    } catch (IllegalStateException e) {
      // python missing: python actions will fail with the reason.
    }
    files.nodeLauncher();
    files.pythonLauncher();
  }

  Path javaLauncherJar() {
    return files.javaLauncherJar();
  }
}
