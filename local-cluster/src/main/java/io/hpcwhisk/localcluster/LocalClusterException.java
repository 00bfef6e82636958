package io.hpcwhisk.localcluster;

/** A local cluster could not be started, inspected or stopped; the message says what and why. */
public final class LocalClusterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LocalClusterException(String message) {
    super(message);
  }

  public LocalClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
