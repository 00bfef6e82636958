package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.protocol.ActionLimitsSpec;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationRequest;
import java.util.Map;

/** Translates between the API's run request / outcome and the pilot protocol's messages. */
final class ActivationMessages {

  private static final long RESULT_BYTES = 1024L * 1024;

  private ActivationMessages() {}

  /** The request a pilot gets; its deadline counts from {@code nowMs}, when it is sent. */
  static ActivationRequest toPilot(
      RunRequest r, String versionKey, String apiHost, long acceptedAtMs, long nowMs, int attempt) {
    Exec exec = r.exec();
    ActionLimitsSpec limits =
        new ActionLimitsSpec(
            r.limits().timeout(),
            r.limits().memory(),
            r.limits().logs() * 1024L * 1024L,
            RESULT_BYTES,
            r.limits().cores(),
            r.gpus());
    return new ActivationRequest(
        r.activationId(),
        r.namespace() == null ? "" : r.namespace(),
        r.action().toString(),
        versionKey,
        exec.kind(),
        exec.code() == null ? "" : exec.code(),
        Boolean.TRUE.equals(exec.binary()),
        exec.main(),
        Map.of(),
        limits,
        r.params(),
        nowMs + r.limits().timeout(),
        apiHost,
        r.apiKey(),
        acceptedAtMs,
        attempt,
        r.retrySafe(),
        "blackbox".equals(exec.kind()) ? exec.image() : null);
  }

  static RunOutcome fromPilot(ActivationOutcome o) {
    Long init = o.cold() || o.initMs() > 0 ? o.initMs() : null;
    return new RunOutcome(
        ActivationResponse.of(o.status().code(), o.result()),
        o.logs(),
        o.startMs(),
        o.endMs(),
        init);
  }
}
