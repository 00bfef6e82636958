package io.hpcwhisk.core.dispatch;

import java.util.Optional;

/**
 * What happens to an activation taken back from a pilot: {@code decide(...) -> empty} (dispatch it
 * again) or the reason it ends in a whisk error. An activation that never started goes again
 * whatever the action, unless it was already sent {@link #maxSends} times (so work no pilot ever
 * starts still ends); one that may have started goes again only if the action is retry-safe and it
 * was started fewer than {@code maxAttempts} times.
 *
 * <p>Example: a retry-safe activation acknowledged by a pilot that is then SIGKILLed, started once,
 * max 3: dispatched again. The same with {@code retry-safe=false}: "pilot preempted: pilot slurm-7
 * was lost (...) while it held this activation, and the action is not retry-safe ...".
 */
public final class RetryRule {

  private RetryRule() {}

  /** How often an activation may be sent to pilots in all: five times {@code maxAttempts}. */
  public static int maxSends(int maxAttempts) {
    return 5 * maxAttempts;
  }

  public static Optional<String> decide(
      boolean mayHaveStarted,
      boolean retrySafe,
      int starts,
      int maxAttempts,
      int sends,
      String pilot,
      String why) {
    if (!mayHaveStarted) {
      if (sends >= maxSends(maxAttempts)) {
        return Optional.of(
            "The activation was sent to pilots "
                + sends
                + " times and none of them ran it (last: pilot "
                + pilot
                + " "
                + why
                + "); it is not sent again (5 x balancer.max-attempts).");
      }
      return Optional.empty();
    }
    if (!retrySafe) {
      return Optional.of(
          "pilot preempted: pilot "
              + pilot
              + " "
              + why
              + " while it held this activation, and the action is not retry-safe (annotation"
              + " retry-safe=false), so it was not run again.");
    }
    if (starts >= maxAttempts) {
      return Optional.of(
          "pilot preempted: pilot "
              + pilot
              + " "
              + why
              + "; the activation was started "
              + starts
              + " times (balancer.max-attempts) and is not run again.");
    }
    return Optional.empty();
  }
}
