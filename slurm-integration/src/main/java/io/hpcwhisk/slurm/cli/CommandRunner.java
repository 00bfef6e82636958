package io.hpcwhisk.slurm.cli;

import java.time.Duration;
import java.util.List;

/**
 * Runs one external command to completion or timeout. A seam so that parsing can be tested on
 * recorded output.
 */
public interface CommandRunner {

  /** The outcome of one run. */
  record Result(int exitCode, String stdout, String stderr) {}

  /**
   * Runs {@code command}, feeding {@code stdin} (may be empty), and waits at most {@code timeout}.
   *
   * @throws SlurmCommandException when the command cannot be started or does not finish in time
   */
  Result run(List<String> command, String stdin, Duration timeout);
}
