package io.hpcwhisk.runtime.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Podman (Debian 12's 4.3 is tested) as the container engine. Containers run with {@code
 * --pull=never}, {@code --cap-drop=all}, {@code --security-opt=no-new-privileges}, {@code
 * --read-only} (with podman's tmpfs on {@code /tmp}, {@code /var/tmp} and {@code /run}), {@code
 * --user UID:UID}, {@code --memory} and {@code --memory-swap} equal (no swap), {@code
 * --pids-limit}, {@code --ulimit} for open files and processes (podman's defaults exceed what an
 * unprivileged or nested node allows), {@code --log-driver=none} (the pilot reads the output;
 * nothing piles up on disk), {@code --network=none} (a namespace with only loopback) or, when the
 * administrator allows outgoing connections, {@code --network=slirp4netns} (a user-mode stack:
 * outgoing only, the node's loopback out of reach), and no port published: port 8080 is reached
 * only through the pilot's {@link NetnsForwarder}; {@code --pidfile} gives the forwarder the
 * container's process.
 */
public final class Podman implements ContainerEngine {

  /** Processes (and threads) one container may hold (its pids cgroup). */
  public static final int PIDS_LIMIT = 512;

  /**
   * The container's {@code RLIMIT_NPROC}: counted per uid over the node, so it bounds the processes
   * of all containers (and bubblewrap-sandboxed actions) of the sandbox uid together.
   */
  public static final int NPROC_LIMIT = 4096;

  /** The container's {@code RLIMIT_NOFILE}. */
  public static final int NOFILE_LIMIT = 1024;

  private static final long COMMAND_SECONDS = 60;

  private final String executable;
  private final List<String> global;

  /**
   * Podman as found on PATH ({@code podman}) or at the given path, with OCI runtime {@code runc}
   * when it is installed (it works with cgroups v1 and v2; podman's default crun refuses the hybrid
   * v1/v2 layout some nodes have), else podman's default.
   */
  public Podman(String executable) {
    this.executable = executable == null || executable.isBlank() ? "podman" : executable;
    this.global = runc().map(path -> List.of("--runtime=" + path)).orElse(List.of());
  }

  private static Optional<String> runc() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      for (String name : List.of("runc")) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
        if (candidate.isAbsolute() && Files.isExecutable(candidate)) {
          return Optional.of(candidate.toString());
        }
      }
    }
    for (String fixed : List.of("/usr/sbin/runc", "/usr/bin/runc")) {
      if (Files.isExecutable(Path.of(fixed))) {
        return Optional.of(fixed);
      }
    }
    return Optional.empty();
  }

  /** The OCI runtime option given to podman (empty: podman's default). */
  public List<String> globalOptions() {
    return global;
  }

  @Override
  public String name() {
    return "podman";
  }

  @Override
  public Optional<String> problem() {
    Result r = exec(List.of(executable, "version", "--format", "{{.Client.Version}}"));
    if (r.exit() == 0) {
      return NetnsForwarder.problem();
    }
    return Optional.of(
        r.exit() == 127
            ? "podman is not installed on this node"
            : "podman does not work: " + r.tail());
  }

  @Override
  public boolean hasImage(String image) {
    return exec(List.of(executable, "image", "exists", "--", image)).exit() == 0;
  }

  @Override
  public Optional<String> load(Path archive) {
    Result r = exec(List.of(executable, "load", "--quiet", "--input", archive.toString()));
    return r.exit() == 0 ? Optional.empty() : Optional.of(r.tail());
  }

  @Override
  public List<String> runCommand(ContainerRun run) {
    List<String> argv = new ArrayList<>();
    argv.add(executable);
    argv.addAll(global);
    argv.add("run");
    argv.add("--name=" + run.name());
    argv.add("--pull=never");
    argv.add("--interactive=false");
    argv.add("--tty=false");
    argv.add("--cap-drop=all");
    argv.add("--security-opt=no-new-privileges");
    argv.add("--read-only");
    argv.add("--read-only-tmpfs=true");
    argv.add("--user=" + run.uid() + ":" + run.uid());
    argv.add("--memory=" + run.memoryMb() + "m");
    argv.add("--memory-swap=" + run.memoryMb() + "m");
    argv.add("--pids-limit=" + PIDS_LIMIT);
    argv.add("--ulimit=nofile=" + NOFILE_LIMIT + ":" + NOFILE_LIMIT);
    argv.add("--ulimit=nproc=" + NPROC_LIMIT + ":" + NPROC_LIMIT);
    argv.add("--log-driver=none");
    argv.add(
        run.network().equals("outbound")
            ? "--network=slirp4netns:allow_host_loopback=false"
            : "--network=none");
    argv.add("--pidfile=" + run.pidFile().toAbsolutePath());
    argv.add("--stop-timeout=0");
    run.labels().forEach((k, v) -> argv.add("--label=" + k + "=" + v));
    argv.add("--");
    argv.add(run.image());
    return argv;
  }

  @Override
  public void remove(String name) {
    List<String> argv = new ArrayList<>(List.of(executable));
    argv.addAll(global);
    argv.addAll(List.of("rm", "--force", "--time=0", "--ignore", "--", name));
    exec(argv);
  }

  @Override
  public boolean killedForMemory(String name) {
    Result r = exec(List.of(executable, "inspect", "--format", "{{.State.OOMKilled}}", "--", name));
    return r.exit() == 0 && r.output().strip().equals("true");
  }

  @Override
  public Map<String, String> labelled(String label) {
    Result r =
        exec(
            List.of(
                executable,
                "ps",
                "--all",
                "--filter",
                "label=" + label,
                "--format",
                "{{.Names}}\t{{index .Labels \"" + label + "\"}}"));
    Map<String, String> out = new LinkedHashMap<>();
    if (r.exit() != 0) {
      return out;
    }
    for (String line : r.output().split("\n")) {
      String[] parts = line.strip().split("\t", 2);
      if (parts.length == 2 && !parts[0].isEmpty()) {
        out.put(parts[0], parts[1]);
      }
    }
    return out;
  }

  private record Result(int exit, String output) {
    String tail() {
      String s = output.strip();
      return s.length() > 500 ? s.substring(s.length() - 500) : s;
    }
  }

  private static Result exec(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(124, "timed out: " + String.join(" ", command.subList(0, 2)));
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(127, String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(130, "interrupted");
    }
  }
}
