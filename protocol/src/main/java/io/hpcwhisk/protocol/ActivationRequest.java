package io.hpcwhisk.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;
import java.util.Objects;

/**
 * One activation the balancer hands to a pilot: the action version (the {@code /init} part) and the
 * activation (the {@code /run} part).
 *
 * @param activationId OpenWhisk's 32-hex activation id
 * @param namespace the namespace the activation runs in ({@code __OW_NAMESPACE})
 * @param actionName fully qualified action name, e.g. {@code /guest/pkg/hello} ({@code
 *     __OW_ACTION_NAME})
 * @param versionKey identifies code + version for warm reuse, e.g. {@code guest/pkg/hello@0.0.3}
 * @param kind OpenWhisk kind ({@code nodejs:20}, {@code python:3}, {@code java}, {@code blackbox},
 *     ...)
 * @param code source text, or base64 when {@code binary}
 * @param binary whether {@code code} is base64 (zip, jar, executable)
 * @param main entry point ({@code main} by default; a class name for java)
 * @param env the action's environment variables (init env)
 * @param limits time, memory, log and result limits
 * @param params the parameters, a JSON object
 * @param deadlineMs epoch ms by which the activation must end ({@code __OW_DEADLINE})
 * @param apiHost {@code __OW_API_HOST}
 * @param apiKey {@code __OW_API_KEY}, null unless the action may see its key
 * @param acceptedAtMs epoch ms when the API accepted the activation (for wait time)
 * @param attempt 1 for the first dispatch, more after re-dispatch
 * @param retrySafe whether the action may run again after a lost pilot (absent: false). A pilot
 *     need not write {@code started} before it runs a retry-safe activation: it reports the start
 *     only if the run lasts longer than its acknowledgement delay (~100 ms); a shorter one is
 *     acknowledged by its {@code completed}. (A pilot lost in those first ~100 ms counts as not
 *     having started it, so the balancer sends it again at once, as it may for a retry-safe
 *     action.)
 * @param image the container image of a container action ({@code exec.image}, kind {@code
 *     blackbox}); null, and left out of the message, for the other actions
 */
public record ActivationRequest(
    String activationId,
    String namespace,
    String actionName,
    String versionKey,
    String kind,
    String code,
    boolean binary,
    String main,
    Map<String, String> env,
    ActionLimitsSpec limits,
    JsonNode params,
    long deadlineMs,
    String apiHost,
    String apiKey,
    long acceptedAtMs,
    int attempt,
    boolean retrySafe,
    @JsonInclude(JsonInclude.Include.NON_NULL) String image) {

  public ActivationRequest {
    if (activationId == null || activationId.isBlank()) {
      throw new IllegalArgumentException("activationId must not be blank");
    }
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(actionName, "actionName");
    Objects.requireNonNull(versionKey, "versionKey");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(code, "code");
    main = main == null || main.isBlank() ? "main" : main;
    env = env == null ? Map.of() : Map.copyOf(env);
    limits = limits == null ? ActionLimitsSpec.defaults() : limits;
    params = params == null || params.isNull() ? JsonNodeFactory.instance.objectNode() : params;
    if (!params.isObject()) {
      throw new IllegalArgumentException(
          "params must be a JSON object, got " + params.getNodeType());
    }
    apiHost = apiHost == null ? "" : apiHost;
    attempt = Math.max(1, attempt);
    image = image == null || image.isBlank() ? null : image;
  }

  /** A request for an action without a container image. */
  public ActivationRequest(
      String activationId,
      String namespace,
      String actionName,
      String versionKey,
      String kind,
      String code,
      boolean binary,
      String main,
      Map<String, String> env,
      ActionLimitsSpec limits,
      JsonNode params,
      long deadlineMs,
      String apiHost,
      String apiKey,
      long acceptedAtMs,
      int attempt,
      boolean retrySafe) {
    this(
        activationId,
        namespace,
        actionName,
        versionKey,
        kind,
        code,
        binary,
        main,
        env,
        limits,
        params,
        deadlineMs,
        apiHost,
        apiKey,
        acceptedAtMs,
        attempt,
        retrySafe,
        null);
  }
}
