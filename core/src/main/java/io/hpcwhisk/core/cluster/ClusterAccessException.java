package io.hpcwhisk.core.cluster;

/**
 * A port could not reach or command the cluster. The message says what was attempted and how it
 * failed (for the Slurm adapter: the command line, the exit code and the tail of stderr).
 */
public class ClusterAccessException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ClusterAccessException(String message) {
    super(message);
  }

  public ClusterAccessException(String message, Throwable cause) {
    super(message, cause);
  }
}
