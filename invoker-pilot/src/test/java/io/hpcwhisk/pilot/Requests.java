package io.hpcwhisk.pilot;

import io.hpcwhisk.protocol.ActionLimitsSpec;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.PilotProtocol;
import java.util.Map;

/** Activation requests for tests, as the balancer would send them. */
public final class Requests {

  private Requests() {}

  public static ActivationRequest node(
      String id, String versionKey, String code, long timeoutMs, int memoryMb) {
    return new ActivationRequest(
        id,
        "guest",
        "/guest/" + versionKey,
        versionKey,
        "nodejs:20",
        code,
        false,
        "main",
        Map.of(),
        new ActionLimitsSpec(timeoutMs, memoryMb, 10_485_760, 1_048_576),
        PilotProtocol.mapper().createObjectNode().put("id", id),
        System.currentTimeMillis() + timeoutMs,
        "http://127.0.0.1:1",
        null,
        System.currentTimeMillis(),
        1,
        false);
  }

  /** A nodejs action that sleeps {@code ms} and returns its id. */
  public static ActivationRequest sleeping(String id, long ms, int memoryMb) {
    return node(
        id,
        "sleep-" + ms,
        "function main(p) { return new Promise(r => setTimeout(() => r({ id: p.id }), "
            + ms
            + ")); }",
        60_000,
        memoryMb);
  }

  /** The same request, marked retry-safe. */
  public static ActivationRequest retrySafe(ActivationRequest r) {
    return copy(r, r.kind(), r.code(), true);
  }

  /** {@code r} with another kind, code and retry-safety; every other field kept. */
  public static ActivationRequest copy(
      ActivationRequest r, String kind, String code, boolean retrySafe) {
    return new ActivationRequest(
        r.activationId(),
        r.namespace(),
        r.actionName(),
        r.versionKey(),
        kind,
        code,
        r.binary(),
        r.main(),
        r.env(),
        r.limits(),
        r.params(),
        r.deadlineMs(),
        r.apiHost(),
        r.apiKey(),
        r.acceptedAtMs(),
        r.attempt(),
        retrySafe);
  }
}
