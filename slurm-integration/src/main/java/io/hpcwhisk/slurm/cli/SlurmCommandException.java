package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.ClusterAccessException;
import java.util.List;

/** A Slurm command failed: names the command line, its exit code (or why there is none) and the tail of stderr. */
public final class SlurmCommandException extends ClusterAccessException {

  private static final long serialVersionUID = 1L;
  private static final int TAIL = 400;

  private final String commandLine;

  private SlurmCommandException(String commandLine, String message, Throwable cause) {
    super(message, cause);
    this.commandLine = commandLine;
  }

  /** The command ran and exited non-zero (or printed something unusable). */
  public static SlurmCommandException failed(List<String> command, int exitCode, String stderr, String what) {
    String line = String.join(" ", command);
    return new SlurmCommandException(line, "`" + line + "` " + what + " (exit code " + exitCode + "): stderr: "
        + tail(stderr), null);
  }

  /** The command could not be run or did not finish. */
  public static SlurmCommandException notRun(List<String> command, String why, Throwable cause) {
    String line = String.join(" ", command);
    return new SlurmCommandException(line, "`" + line + "` " + why, cause);
  }

  /** The command line that failed. */
  public String commandLine() {
    return commandLine;
  }

  static String tail(String text) {
    String trimmed = text == null ? "" : text.strip();
    if (trimmed.isEmpty()) {
      return "(empty)";
    }
    return trimmed.length() <= TAIL ? trimmed : "…" + trimmed.substring(trimmed.length() - TAIL);
  }
}
