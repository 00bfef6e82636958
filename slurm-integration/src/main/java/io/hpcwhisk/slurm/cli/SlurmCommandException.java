package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.ClusterAccessException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A Slurm command failed: names the command line, its exit code (or why there is none) and the tail
 * of stderr (its last 400 characters, lines joined with {@code " | "} so that the message stays one
 * line).
 */
public final class SlurmCommandException extends ClusterAccessException {

  private static final long serialVersionUID = 1L;
  private static final int TAIL = 400;

  private final String commandLine;

  private SlurmCommandException(String commandLine, String message, Throwable cause) {
    super(message, cause);
    this.commandLine = commandLine;
  }

  /**
   * Values of {@code --export} variables whose names suggest a secret: shown as {@code ***} in
   * messages (the server exports none; an administrator's {@code harvest.pilot-job.environment}
   * might).
   */
  private static final Pattern SECRET_EXPORT =
      Pattern.compile(
          "(?i)([,=]\\w*(?:TOKEN|SECRET|PASSW|KEY|CREDENTIAL|AUTH)\\w*(?<!_FILE)=)[^,\\s]*");

  /** The command ran and exited non-zero (or printed something unusable). */
  public static SlurmCommandException failed(
      List<String> command, int exitCode, String stderr, String what) {
    String line = redact(command);
    return new SlurmCommandException(
        line,
        "`" + line + "` " + what + " (exit code " + exitCode + "): stderr: " + tail(stderr),
        null);
  }

  /** The command could not be run or did not finish. */
  public static SlurmCommandException notRun(List<String> command, String why, Throwable cause) {
    String line = redact(command);
    return new SlurmCommandException(line, "`" + line + "` " + why, cause);
  }

  /** The command line that failed. */
  public String commandLine() {
    return commandLine;
  }

  /** The command line with secret-looking {@code --export} values replaced by {@code ***}. */
  static String redact(List<String> command) {
    StringBuilder sb = new StringBuilder();
    for (String arg : command) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(arg.startsWith("--export=") ? SECRET_EXPORT.matcher(arg).replaceAll("$1***") : arg);
    }
    return sb.toString();
  }

  static String tail(String text) {
    String trimmed = text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " | ");
    if (trimmed.isEmpty()) {
      return "(empty)";
    }
    return trimmed.length() <= TAIL ? trimmed : "…" + trimmed.substring(trimmed.length() - TAIL);
  }
}
