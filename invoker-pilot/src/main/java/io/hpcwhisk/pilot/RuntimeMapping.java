package io.hpcwhisk.pilot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.runtime.ActionLimits;
import io.hpcwhisk.runtime.ActionSpec;
import io.hpcwhisk.runtime.ActivationInput;
import io.hpcwhisk.runtime.ActivationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Between the protocol's activation records and the runtime's: what a runtime runs, and what it
 * reported.
 */
final class RuntimeMapping {

  private RuntimeMapping() {}

  /** The action to run for a request. */
  static ActionSpec spec(ActivationRequest request) {
    ActionLimits limits =
        new ActionLimits(
            Duration.ofMillis(request.limits().timeoutMs()),
            request.limits().memoryMb(),
            request.limits().logBytes(),
            request.limits().resultBytes(),
            request.limits().cores(),
            request.limits().gpus());
    return new ActionSpec(
        request.versionKey(),
        request.kind(),
        request.code(),
        request.binary(),
        request.main(),
        request.env(),
        limits,
        request.image());
  }

  /** The input of a request's run. */
  static ActivationInput input(ActivationRequest request) {
    return new ActivationInput(
        request.activationId(),
        request.actionName(),
        request.namespace(),
        Instant.ofEpochMilli(request.deadlineMs()),
        request.apiHost(),
        Optional.ofNullable(request.apiKey()),
        (ObjectNode) request.params());
  }

  /**
   * The outcome of a run that the pilot began at {@code started}; its wait is counted from the
   * balancer's acceptance.
   */
  static ActivationOutcome outcome(
      ActivationRequest request, ActivationResult result, Instant started) {
    long waitMs = Math.max(0, started.toEpochMilli() - request.acceptedAtMs());
    return new ActivationOutcome(
        request.activationId(),
        result.status(),
        result.result(),
        result.logs(),
        result.start().toEpochMilli(),
        result.end().toEpochMilli(),
        result.initTime().map(Duration::toMillis).orElse(0L),
        waitMs,
        result.cold());
  }
}
