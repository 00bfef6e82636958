package io.hpcwhisk.localcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The daemons of a local cluster, known only by their pid files. A pid is trusted only while the
 * process behind it still runs the expected program, so a stale pid file never leads to signalling
 * an unrelated process.
 */
final class Daemons {

  private Daemons() {}

  /** The live process recorded in {@code pidFile} if it runs {@code program}. */
  static Optional<ProcessHandle> alive(Path pidFile, String program) {
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).strip());
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> runs(c, program)).orElse(true));
  }

  /**
   * Whether an executable path is {@code program}; Debian installs e.g. slurmctld as slurmctld-wlm.
   */
  static boolean runs(String executable, String program) {
    String name = Path.of(executable).getFileName().toString();
    return name.equals(program) || name.startsWith(program + "-");
  }

  /**
   * Stops the process in {@code pidFile} (SIGTERM, then SIGKILL after {@code patience}); true if
   * one ran.
   */
  static boolean stop(Path pidFile, String program, Duration patience) {
    Optional<ProcessHandle> process = alive(pidFile, program);
    if (process.isEmpty()) {
      deleteQuietly(pidFile);
      return false;
    }
    ProcessHandle handle = process.get();
    handle.destroy();
    try {
      handle.onExit().get(patience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      handle.destroyForcibly();
      try {
        handle.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        throw new LocalClusterException(
            program + " (pid " + handle.pid() + ") did not stop after SIGKILL");
      }
    }
    deleteQuietly(pidFile);
    return true;
  }

  /** Waits until {@code pidFile} names a live {@code program}, up to {@code timeout}. */
  static ProcessHandle awaitStarted(Path pidFile, String program, Duration timeout, Path log) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<ProcessHandle> process = alive(pidFile, program);
      if (process.isPresent()) {
        return process.get();
      }
      pause(100);
    }
    throw new LocalClusterException(
        program
            + " did not start within "
            + timeout.toSeconds()
            + " s; see "
            + log
            + (Files.isRegularFile(log) ? ": " + tail(log) : ""));
  }

  static String tail(Path file) {
    try {
      String[] lines = Files.readString(file).strip().split("\n");
      return lines[lines.length - 1];
    } catch (IOException e) {
      return "(cannot read " + file + ")";
    }
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalClusterException("interrupted", e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover pid file is harmless: alive() checks the process behind it
    }
  }
}
