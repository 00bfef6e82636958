package io.hpcwhisk.pilot.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Optional bubblewrap ({@code bwrap}) sandbox around each runtime process.
 *
 * <p>Isolated: the action sees the host's file system read-only, with empty tmpfs over {@code /home},
 * {@code /root}, the current user's home and the pilot's whole work directory (so no other action's
 * files, no pilot credentials or config), except its own runtime directory, which it may write; it
 * gets fresh PID, IPC and UTS namespaces, its own {@code /tmp}, {@code /proc} and {@code /dev}, and
 * dies with the pilot. Interpreters that live under a hidden directory (e.g. pyenv under
 * {@code /root}) are bound back read-only.
 *
 * <p>Not isolated: the network (actions may call out, as in OpenWhisk), CPU time and memory beyond
 * the limits the runtime sets, and everything readable on the host outside the hidden directories.
 */
final class Sandbox {

  private final boolean enabled;
  private final Path workRoot;

  private Sandbox(boolean enabled, Path workRoot) {
    this.enabled = enabled;
    this.workRoot = workRoot;
  }

  static Sandbox choose(RuntimeConfig.Sandbox mode, Path workRoot) {
    return switch (mode) {
      case OFF -> new Sandbox(false, workRoot);
      case BWRAP -> {
        if (!usable()) {
          throw new IllegalArgumentException(
              "sandbox BWRAP was requested but bwrap is not installed or cannot create namespaces here");
        }
        yield new Sandbox(true, workRoot);
      }
      case AUTO -> new Sandbox(usable(), workRoot);
    };
  }

  boolean enabled() {
    return enabled;
  }

  /** Whether {@code bwrap} exists and can run {@code true} in the namespaces used here. */
  static boolean usable() {
    try {
      Process probe =
          new ProcessBuilder(
                  "bwrap", "--ro-bind", "/", "/", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                  "--proc", "/proc", "--dev", "/dev", "true")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return probe.waitFor(5, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The command wrapped in bwrap when enabled; {@code readOnlyExtras} are bound back read-only. */
  List<String> wrap(List<String> command, Path actionDir, List<Path> readOnlyExtras) {
    if (!enabled) {
      return command;
    }
    List<String> argv = new ArrayList<>(List.of("bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
    argv.addAll(List.of("--tmpfs", "/tmp"));
    Set<String> hidden = new LinkedHashSet<>(List.of("/home", "/root", System.getProperty("user.home")));
    hidden.add(workRoot.toAbsolutePath().toString());
    for (String dir : hidden) {
      if (Files.isDirectory(Path.of(dir))) {
        argv.addAll(List.of("--tmpfs", dir));
      }
    }
    for (Path extra : readOnlyExtras) {
      if (Files.exists(extra)) {
        argv.addAll(List.of("--ro-bind", extra.toString(), extra.toString()));
      }
    }
    String own = actionDir.toAbsolutePath().toString();
    argv.addAll(List.of("--bind", own, own, "--chdir", own));
    argv.addAll(List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--"));
    argv.addAll(command);
    return argv;
  }
}
