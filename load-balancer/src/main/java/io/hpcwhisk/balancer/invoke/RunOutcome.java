package io.hpcwhisk.balancer.invoke;

import io.hpcwhisk.balancer.entity.ActivationResponse;
import java.util.List;
import java.util.Objects;

/**
 * What running one activation gave: the response (success or one of the three errors), the log
 * lines, when the run started and ended (epoch ms) and, for a cold start, how long initialisation
 * took.
 */
public record RunOutcome(
    ActivationResponse response, List<String> logs, long start, long end, Long initTimeMillis) {

  public RunOutcome {
    Objects.requireNonNull(response, "response");
    logs = logs == null ? List.of() : List.copyOf(logs);
    if (end < start) {
      throw new IllegalArgumentException("end " + end + " before start " + start);
    }
  }

  /** A whisk internal error at {@code now} with the reason as the result's {@code error}. */
  public static RunOutcome whiskError(String reason, long now) {
    return new RunOutcome(ActivationResponse.whiskError(reason), List.of(), now, now, null);
  }
}
