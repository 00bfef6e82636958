package io.hpcwhisk.slurm.cli;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How pilot jobs are submitted, beyond their shape.
 *
 * @param namePrefix job-name prefix that marks our pilots (and lets a restarted controller adopt
 *     them)
 * @param account the Slurm account to charge, if the site needs one
 * @param signal the {@code --signal} value asking for a warning before the time limit, e.g. {@code
 *     TERM@60} (to the job's steps, that is the pilot; with {@code B:} it reaches only the batch
 *     shell, which passes a SIGTERM on to the pilot)
 * @param output the {@code --output} path pattern, e.g. {@code /var/log/hpc-whisk/pilot-%j.out}
 * @param script the batch script every pilot runs (read from the configured template)
 * @param extraOptions further {@code sbatch} options, passed as given
 * @param environment variables every pilot gets on top of the controller's environment (for example
 *     the balancer's address), passed as {@code --export=ALL,NAME=value,…}: on sbatch's command
 *     line, readable by every local user, so never a secret (the credential goes by file, see
 *     {@link PilotJobHandOff})
 */
public record PilotJobSettings(
    String namePrefix,
    Optional<String> account,
    Optional<String> signal,
    String output,
    String script,
    List<String> extraOptions,
    Map<String, String> environment) {

  public PilotJobSettings {
    Objects.requireNonNull(namePrefix, "namePrefix");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(script, "script");
    extraOptions = List.copyOf(extraOptions);
    environment = Map.copyOf(new TreeMap<>(environment));
    environment.forEach(
        (name, value) -> {
          if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException(
                "pilot environment variable name '" + name + "' is not a valid name");
          }
          if (value.contains(",")) {
            throw new IllegalArgumentException(
                "pilot environment variable "
                    + name
                    + " has a ',' in its value, which"
                    + " sbatch --export cannot pass");
          }
        });
    if (!namePrefix.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "pilot name prefix must be letters, digits, '.', '_' or '-', got '" + namePrefix + "'");
    }
    if (!script.startsWith("#!")) {
      throw new IllegalArgumentException(
          "pilot script must start with '#!' (a batch script), got '"
              + script.lines().findFirst().orElse("")
              + "'");
    }
  }
}
