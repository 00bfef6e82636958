package io.hpcwhisk.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.protocol.ActivationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What running one activation produced, in OpenWhisk's terms.
 *
 * @param status success, application error, developer error or whisk error
 * @param result the JSON object result; for every error it is {@code {"error": ...}}
 * @param logs stdout and stderr lines, each {@code 2026-11-27T00:55:51.123456789Z stdout: text}
 * @param start when the activation started; for a cold start, when initialisation started (as in
 *     OpenWhisk, whose duration includes init time)
 * @param end when the result (and the logs) were complete
 * @param initTime how long initialisation took when this activation started a runtime (cold start)
 */
public record ActivationResult(
    ActivationStatus status,
    ObjectNode result,
    List<String> logs,
    Instant start,
    Instant end,
    Optional<Duration> initTime) {

  public ActivationResult {
    Objects.requireNonNull(status, "status");
    result = result == null ? JsonNodeFactory.instance.objectNode() : result;
    logs = logs == null ? List.of() : List.copyOf(logs);
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("end " + end + " is before start " + start);
    }
    initTime = initTime == null ? Optional.empty() : initTime;
  }

  /** An error of the given status whose result is {@code {"error": message}}. */
  public static ActivationResult error(
      ActivationStatus status, String message, List<String> logs, Instant start, Instant end) {
    return new ActivationResult(status, errorObject(message), logs, start, end, Optional.empty());
  }

  /** A whisk internal error: the pilot failed, not the action. */
  public static ActivationResult whiskError(String message, Instant at) {
    return error(ActivationStatus.WHISK_ERROR, message, List.of(), at, at);
  }

  static ObjectNode errorObject(String message) {
    return JsonNodeFactory.instance.objectNode().put("error", message);
  }

  /** Whether this activation started a runtime. */
  public boolean cold() {
    return initTime.isPresent();
  }

  /** From start to end, init included when cold. */
  public Duration duration() {
    return Duration.between(start, end);
  }

  /** The result as compact JSON text. */
  public String resultJson() {
    return result.toString();
  }

  /** The error message when the result is {@code {"error": "text"}}, else empty. */
  public Optional<String> errorMessage() {
    return result.has("error") && result.get("error").isTextual()
        ? Optional.of(result.get("error").asText())
        : Optional.empty();
  }

  /** This result as the first activation of a runtime that started at {@code initStart}. */
  ActivationResult asCold(Instant initStart, Duration init) {
    Instant coldStart = initStart.isBefore(start) ? initStart : start;
    return new ActivationResult(status, result, logs, coldStart, end, Optional.of(init));
  }
}
