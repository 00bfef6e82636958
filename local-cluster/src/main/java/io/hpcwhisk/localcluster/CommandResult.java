package io.hpcwhisk.localcluster;

import java.util.List;

/**
 * What a finished external command left behind.
 *
 * @param command the command line that ran
 * @param exitCode its exit code
 * @param stdout everything it printed on stdout
 * @param stderr everything it printed on stderr
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

  public CommandResult {
    command = List.copyOf(command);
  }

  public boolean ok() {
    return exitCode == 0;
  }

  /** The last lines of stderr (or stdout when stderr is empty), for error messages. */
  public String tail() {
    String text = stderr.isBlank() ? stdout : stderr;
    String[] lines = text.strip().split("\n");
    int from = Math.max(0, lines.length - 5);
    return String.join(" | ", List.of(lines).subList(from, lines.length));
  }

  /**
   * Returns this result when the command succeeded, otherwise throws with the command and its
   * output.
   */
  public CommandResult orThrow() {
    if (!ok()) {
      throw new LocalClusterException(
          "`" + String.join(" ", command) + "` exited with " + exitCode + ": " + tail());
    }
    return this;
  }
}
