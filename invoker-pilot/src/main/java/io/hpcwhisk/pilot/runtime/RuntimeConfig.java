package io.hpcwhisk.pilot.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the runtimes of one pilot (or one API server) run.
 *
 * @param workDir where each runtime gets its own directory (code, fifo, tmp); removed on close
 * @param memoryMb memory the runtimes may reserve together (sum of the actions' memory limits)
 * @param node the Node.js executable (default {@code node} on PATH)
 * @param python the Python 3 executable (default {@code python3} on PATH; shims are resolved once)
 * @param java the java executable (default: the one running the pilot)
 * @param sandbox whether to run actions inside bubblewrap
 * @param idleTimeout how long a warm runtime is kept without activations (default 10 min)
 * @param logDrainWait how long to wait for an activation's last log lines after its result (default 2 s)
 */
public record RuntimeConfig(
    Path workDir,
    int memoryMb,
    String node,
    String python,
    String java,
    Sandbox sandbox,
    Duration idleTimeout,
    Duration logDrainWait) {

  /** Sandbox choice: {@code AUTO} uses bubblewrap when it is installed and works. */
  public enum Sandbox {
    AUTO,
    OFF,
    BWRAP
  }

  public RuntimeConfig {
    Objects.requireNonNull(workDir, "workDir");
    if (memoryMb < 16) {
      throw new IllegalArgumentException("memoryMb must be at least 16, got " + memoryMb);
    }
    node = blankTo(node, "node");
    python = blankTo(python, "python3");
    java = blankTo(java, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    sandbox = sandbox == null ? Sandbox.AUTO : sandbox;
    idleTimeout = idleTimeout == null ? Duration.ofMinutes(10) : idleTimeout;
    logDrainWait = logDrainWait == null ? Duration.ofSeconds(2) : logDrainWait;
  }

  /** Defaults for the given work directory and memory. */
  public static RuntimeConfig defaults(Path workDir, int memoryMb) {
    return new RuntimeConfig(workDir, memoryMb, null, null, null, Sandbox.AUTO, null, null);
  }

  public RuntimeConfig withWorkDir(java.nio.file.Path value) {
    return new RuntimeConfig(value, memoryMb, node, python, java, sandbox, idleTimeout, logDrainWait);
  }

  public RuntimeConfig withSandbox(Sandbox value) {
    return new RuntimeConfig(workDir, memoryMb, node, python, java, value, idleTimeout, logDrainWait);
  }

  public RuntimeConfig withIdleTimeout(Duration value) {
    return new RuntimeConfig(workDir, memoryMb, node, python, java, sandbox, value, logDrainWait);
  }

  private static String blankTo(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
