package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.core.dispatch.RetryRule;
import java.util.Optional;

/**
 * What happens to an activation that another server claimed from the database queue and then went
 * away (no heartbeat for {@code store.postgres.server-stale-ms}, or it left): {@code decide(...) ->
 * empty} (queue it again for any server) or the reason it ends in a whisk error. The rule is the
 * pilot-loss rule ({@link RetryRule}) with every claim counted as a possible start, since the
 * origin cannot know whether the gone server's pilot had begun running it.
 *
 * <p>Example: a retry-safe activation claimed once by server {@code b}, which is SIGKILLed, max 3:
 * queued again. The same with {@code retry-safe=false}: "pilot preempted: pilot of server b was
 * lost (no heartbeat for 6000 ms) while it held this activation, and the action is not retry-safe
 * ...".
 */
public final class ServerLoss {

  private ServerLoss() {}

  public static Optional<String> decide(
      boolean retrySafe, int claims, int maxAttempts, String server, long silentMs) {
    String why =
        silentMs > 1_000_000_000L
            ? "was lost (it stopped and left the database)"
            : "was lost (no heartbeat for " + silentMs + " ms)";
    return RetryRule.decide(
        true, retrySafe, claims, maxAttempts, claims, "of server " + server, why);
  }
}
