package io.hpcwhisk.balancer.store.postgres;

/**
 * The database could not be reached (or did not answer in time) for a store operation: nothing of
 * the operation was committed. The message names the operation and the database's error (never the
 * password, which is not part of either).
 */
public final class StoreUnavailableException extends RuntimeException {

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
