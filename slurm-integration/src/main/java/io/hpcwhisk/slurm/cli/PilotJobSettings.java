package io.hpcwhisk.slurm.cli;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How pilot jobs are submitted, beyond their shape.
 *
 * @param namePrefix job-name prefix that marks our pilots (and lets a restarted controller adopt them)
 * @param account the Slurm account to charge, if the site needs one
 * @param signal the {@code --signal} value asking for a warning before the time limit, e.g. {@code B:TERM@60}
 * @param output the {@code --output} path pattern, e.g. {@code /var/log/hpc-whisk/pilot-%j.out}
 * @param script the batch script every pilot runs (read from the configured template)
 * @param extraOptions further {@code sbatch} options, passed as given
 */
public record PilotJobSettings(
    String namePrefix, Optional<String> account, Optional<String> signal, String output, String script,
    List<String> extraOptions) {

  public PilotJobSettings {
    Objects.requireNonNull(namePrefix, "namePrefix");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(script, "script");
    extraOptions = List.copyOf(extraOptions);
    if (!namePrefix.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("pilot name prefix must be letters, digits, '.', '_' or '-', got '"
          + namePrefix + "'");
    }
    if (!script.startsWith("#!")) {
      throw new IllegalArgumentException("pilot script must start with '#!' (a batch script), got '"
          + script.lines().findFirst().orElse("") + "'");
    }
  }
}
