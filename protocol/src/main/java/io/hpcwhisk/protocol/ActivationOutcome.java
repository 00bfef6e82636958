package io.hpcwhisk.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Objects;

/**
 * What a pilot reports when an activation ended: everything the balancer needs for OpenWhisk's
 * activation record ({@code response.status}, {@code response.result}, {@code logs}, {@code start},
 * {@code end}, and the {@code waitTime} / {@code initTime} annotations).
 *
 * @param activationId the activation
 * @param status terminal status
 * @param result the JSON object result ({@code {"error": ...}} for every error)
 * @param logs formatted log lines ({@code 2026-11-27T00:55:51.123456789Z stdout: text})
 * @param startMs epoch ms the activation started (init start when cold)
 * @param endMs epoch ms it ended
 * @param initMs init time when cold, else 0
 * @param waitMs from acceptance by the API to the start on the pilot
 * @param cold whether a runtime was started for it
 */
public record ActivationOutcome(
    String activationId,
    ActivationStatus status,
    JsonNode result,
    List<String> logs,
    long startMs,
    long endMs,
    long initMs,
    long waitMs,
    boolean cold) {

  public ActivationOutcome {
    Objects.requireNonNull(activationId, "activationId");
    Objects.requireNonNull(status, "status");
    result = result == null ? JsonNodeFactory.instance.objectNode() : result;
    logs = logs == null ? List.of() : List.copyOf(logs);
    if (endMs < startMs) {
      throw new IllegalArgumentException("endMs " + endMs + " is before startMs " + startMs);
    }
  }

  /** Duration in ms, as OpenWhisk's {@code duration}. */
  public long durationMs() {
    return endMs - startMs;
  }
}
