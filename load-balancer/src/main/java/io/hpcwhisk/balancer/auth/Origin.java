package io.hpcwhisk.balancer.auth;

import java.util.Objects;

/**
 * Where a call made with an activation's key comes from: the {@code activationId} whose action made
 * it and that activation's {@code depth} in its chain (0: started by a user's own key, n: started
 * by a call from an activation of depth n - 1).
 */
public record Origin(String activationId, int depth) {

  public Origin {
    Objects.requireNonNull(activationId, "activationId");
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be >= 0, got " + depth);
    }
  }
}
