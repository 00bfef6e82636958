package io.hpcwhisk.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The only way to a container's port 8080: a {@code socat} the pilot starts inside the container's
 * network namespace, listening on a Unix socket in a 0700 directory (docs/admin-guide.md §7, "How
 * the pilot reaches port 8080", states what it holds; e.g. {@code command(4711,
 * Path.of("/tmp/c/8080.sock"))} gives {@code nsenter --net=/proc/4711/ns/net -- socat
 * UNIX-LISTEN:...,fork,mode=600,unlink-early TCP:127.0.0.1:8080}).
 */
public final class NetnsForwarder {

  private NetnsForwarder() {}

  /**
   * Why a forwarder cannot run on this node ({@code socat} or {@code nsenter} missing), or empty.
   */
  public static Optional<String> problem() {
    for (String tool : List.of("socat", "nsenter")) {
      if (find(tool).isEmpty()) {
        return Optional.of(
            tool
                + " is not installed on this node (container actions reach the container's port"
                + " 8080 through socat run in its network namespace with nsenter)");
      }
    }
    return Optional.empty();
  }

  /**
   * The command that forwards {@code socket} to port 8080 in the network namespace of {@code pid}.
   */
  public static List<String> command(long pid, Path socket) {
    if (pid <= 1) {
      throw new IllegalArgumentException("not a container's process id: " + pid);
    }
    String path = socket.toAbsolutePath().toString();
    if (path.contains(",") || path.contains(":") || path.contains("!") || path.contains(" ")) {
      throw new IllegalArgumentException("socket path unusable for socat: " + path);
    }
    List<String> argv = new ArrayList<>();
    argv.add(find("nsenter").orElse("nsenter"));
    if (ProcessHandle.current().info().user().map("root"::equals).orElse(false)) {
      argv.add("--net=/proc/" + pid + "/ns/net");
    } else {
      argv.addAll(List.of("--target", Long.toString(pid), "--user", "--net"));
      argv.add("--preserve-credentials");
    }
    argv.add("--");
    argv.add(find("socat").orElse("socat"));
    argv.add("UNIX-LISTEN:" + path + ",fork,mode=600,unlink-early");
    argv.add("TCP:127.0.0.1:8080");
    return argv;
  }

  private static Optional<String> find(String tool) {
    List<String> dirs = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty()) {
        dirs.add(dir);
      }
    }
    dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin"));
    for (String dir : dirs) {
      Path candidate = Path.of(dir, tool);
      if (candidate.isAbsolute() && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }

  /** Reads a process id file written by the engine ({@code --pidfile}); empty until it is there. */
  public static Optional<Long> readPid(Path pidFile) {
    try {
      String text = Files.readString(pidFile).strip();
      return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
