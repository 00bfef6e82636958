package io.hpcwhisk.balancer.invoke;

import java.util.concurrent.CompletionException;

/**
 * What a dispatched activation's future fails with when another server took the activation over
 * while this server was silent (its heartbeat went stale): this server writes no record for it and
 * answers a waiting caller with the record the other server writes.
 */
public final class OwnershipLost extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String activationId;

  public OwnershipLost(String activationId, String reason) {
    super("activation " + activationId + " " + reason, null, false, false);
    this.activationId = activationId;
  }

  public String activationId() {
    return activationId;
  }

  /** The {@code OwnershipLost} a future failed with (unwrapping completion wrappers), or null. */
  public static OwnershipLost in(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof OwnershipLost lost ? lost : null;
  }
}
