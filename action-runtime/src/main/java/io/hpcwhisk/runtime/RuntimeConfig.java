package io.hpcwhisk.runtime;

import static io.hpcwhisk.runtime.Sandbox.DEFAULT_UID;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * @param logDrainWait how long to wait for an activation's last log lines after its result (default
 *     2 s)
 * @param sandboxUid the host uid and gid sandboxed actions run as when the pilot runs as root
 *     (default 65534)
 * @param sandboxHidden further directories or files hidden from sandboxed actions (besides the
 *     built-in list)
 * @param unsandboxedNamespace the single-tenant opt-out: without a working sandbox, the one
 *     namespace whose actions may run (unsandboxed); null: without a sandbox no action runs (see
 *     {@link ActionRuntimes#refusal})
 */
public record RuntimeConfig(
    Path workDir,
    int memoryMb,
    String node,
    String python,
    String java,
    Sandbox sandbox,
    Duration idleTimeout,
    Duration logDrainWait,
    int sandboxUid,
    List<Path> sandboxHidden,
    String unsandboxedNamespace) {

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
    sandboxUid = sandboxUid == 0 ? DEFAULT_UID : sandboxUid;
    if (sandboxUid < 0) {
      throw new IllegalArgumentException(
          "sandboxUid must be a positive uid (0, root, is refused), got " + sandboxUid);
    }
    sandboxHidden = sandboxHidden == null ? List.of() : List.copyOf(sandboxHidden);
    unsandboxedNamespace =
        unsandboxedNamespace == null || unsandboxedNamespace.isBlank()
            ? null
            : unsandboxedNamespace.strip();
  }

  /**
   * Without the sandbox options: uid 65534, nothing hidden besides the built-in list, no
   * single-tenant opt-out.
   */
  public RuntimeConfig(
      Path workDir,
      int memoryMb,
      String node,
      String python,
      String java,
      Sandbox sandbox,
      Duration idleTimeout,
      Duration logDrainWait) {
    this(workDir, memoryMb, node, python, java, sandbox, idleTimeout, logDrainWait, 0, null, null);
  }

  /** Defaults for the given work directory and memory. */
  public static RuntimeConfig defaults(Path workDir, int memoryMb) {
    return new RuntimeConfig(workDir, memoryMb, null, null, null, Sandbox.AUTO, null, null);
  }

  public RuntimeConfig withWorkDir(Path value) {
    return new RuntimeConfig(
        value,
        memoryMb,
        node,
        python,
        java,
        sandbox,
        idleTimeout,
        logDrainWait,
        sandboxUid,
        sandboxHidden,
        unsandboxedNamespace);
  }

  public RuntimeConfig withSandbox(Sandbox value) {
    return new RuntimeConfig(
        workDir,
        memoryMb,
        node,
        python,
        java,
        value,
        idleTimeout,
        logDrainWait,
        sandboxUid,
        sandboxHidden,
        unsandboxedNamespace);
  }

  public RuntimeConfig withIdleTimeout(Duration value) {
    return new RuntimeConfig(
        workDir,
        memoryMb,
        node,
        python,
        java,
        sandbox,
        value,
        logDrainWait,
        sandboxUid,
        sandboxHidden,
        unsandboxedNamespace);
  }

  /** The single-tenant opt-out: without a working sandbox, only {@code namespace}'s actions run. */
  public RuntimeConfig withUnsandboxedNamespace(String namespace) {
    return new RuntimeConfig(
        workDir,
        memoryMb,
        node,
        python,
        java,
        sandbox,
        idleTimeout,
        logDrainWait,
        sandboxUid,
        sandboxHidden,
        namespace);
  }

  public RuntimeConfig withSandboxHidden(List<Path> paths) {
    return new RuntimeConfig(
        workDir,
        memoryMb,
        node,
        python,
        java,
        sandbox,
        idleTimeout,
        logDrainWait,
        sandboxUid,
        paths,
        unsandboxedNamespace);
  }

  private static String blankTo(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
