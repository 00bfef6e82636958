package io.hpcwhisk.slurm;

import io.hpcwhisk.core.cluster.ClusterAccessException;
import java.util.Locale;

/**
 * Slurm could not be read or commanded, with why in one word ({@link Reason}) for the controller's
 * {@code hpcwhisk.slurm.errors{reason}} counter. The message says what was attempted and never
 * carries a token.
 */
public class SlurmAccessException extends ClusterAccessException {

  private static final long serialVersionUID = 1L;

  /** Why Slurm could not be used. */
  public enum Reason {
    /** slurmctld or slurmrestd did not answer (connection refused, daemon down). */
    UNREACHABLE,
    /** no answer within the timeout. */
    TIMEOUT,
    /** slurmrestd refused the token (expired, wrong, unknown user): HTTP 401/403. */
    AUTH,
    /** the answer was not what Slurm sends (not JSON, too large, too deep, wrong shape). */
    GARBAGE,
    /** a Slurm or data_parser version the adapter does not read. */
    VERSION,
    /** Slurm answered with an error (a command's exit code, a REST error list). */
    FAILED;

    /** The counter's tag value. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  public SlurmAccessException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public SlurmAccessException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /**
   * The reason of any cluster access failure; for a failed Slurm command, read from its message (a
   * timeout, slurmctld unreachable), else {@link Reason#FAILED}.
   */
  public static Reason reasonOf(ClusterAccessException e) {
    if (e instanceof SlurmAccessException s) {
      return s.reason();
    }
    String m = String.valueOf(e.getMessage());
    if (m.contains("timed out after")) {
      return Reason.TIMEOUT;
    }
    if (m.contains("Unable to contact slurm controller")
        || m.contains("Connection refused")
        || m.contains("could not start")) {
      return Reason.UNREACHABLE;
    }
    if (m.contains("Invalid authentication credential") || m.contains("Authentication failure")) {
      return Reason.AUTH;
    }
    return Reason.FAILED;
  }
}
