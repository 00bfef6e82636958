package io.hpcwhisk.balancer.store;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A submission token bound to the Slurm job it was submitted with.
 *
 * @param scope the token's scope ({@code sub-<nonce>}, the part before its MAC; no secret)
 * @param jobId the job {@code sbatch --parsable} answered
 * @param boundAt when the binding was made
 * @param timeLimit the job's time limit ({@code --time})
 * @param notAfter after this the token admits nobody: the job's end at the latest, plus grace
 * @param tokenFile the file the token was handed over in, while it may still exist
 */
public record PilotBinding(
    String scope,
    String jobId,
    Instant boundAt,
    Duration timeLimit,
    Instant notAfter,
    Optional<Path> tokenFile) {

  public PilotBinding {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(boundAt, "boundAt");
    Objects.requireNonNull(timeLimit, "timeLimit");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(tokenFile, "tokenFile");
    if (scope.isBlank() || scope.indexOf('\t') >= 0 || scope.indexOf('\n') >= 0) {
      throw new IllegalArgumentException(
          "binding scope must be one non-blank line without tabs, got '" + scope + "'");
    }
    if (!jobId.matches("[0-9]{1,20}(_[0-9]+)?")) {
      throw new IllegalArgumentException("not a Slurm job id: '" + jobId + "'");
    }
    if (tokenFile.isPresent()
        && (tokenFile.get().toString().indexOf('\t') >= 0
            || tokenFile.get().toString().indexOf('\n') >= 0)) {
      throw new IllegalArgumentException(
          "token file name must not hold tabs or line breaks: " + tokenFile.get());
    }
  }

  /** The same binding, valid until {@code until}. */
  public PilotBinding withNotAfter(Instant until) {
    return new PilotBinding(scope, jobId, boundAt, timeLimit, until, tokenFile);
  }

  /**
   * {@code jobId TAB boundAtMs TAB timeLimitMs TAB notAfterMs TAB tokenFile} (the scope is the
   * key).
   */
  String encode() {
    return jobId
        + "\t"
        + boundAt.toEpochMilli()
        + "\t"
        + timeLimit.toMillis()
        + "\t"
        + notAfter.toEpochMilli()
        + "\t"
        + tokenFile.map(Path::toString).orElse("");
  }

  static PilotBinding decode(String scope, String value) {
    String[] f = value.split("\t", -1);
    if (f.length != 5) {
      throw new IllegalArgumentException(
          "pilot binding of " + scope + " has " + f.length + " fields, expected 5");
    }
    return new PilotBinding(
        scope,
        f[0],
        Instant.ofEpochMilli(Long.parseLong(f[1])),
        Duration.ofMillis(Long.parseLong(f[2])),
        Instant.ofEpochMilli(Long.parseLong(f[3])),
        f[4].isEmpty() ? Optional.empty() : Optional.of(Path.of(f[4])));
  }
}
