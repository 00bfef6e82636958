package io.hpcwhisk.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One activation as the runtime receives it: the parameters and the values OpenWhisk exposes to the
 * action as {@code __OW_*} environment variables.
 *
 * @param activationId {@code __OW_ACTIVATION_ID}
 * @param actionName fully qualified, e.g. {@code /guest/hello}: {@code __OW_ACTION_NAME}
 * @param namespace {@code __OW_NAMESPACE}
 * @param deadline when the activation must end: {@code __OW_DEADLINE} (epoch milliseconds)
 * @param apiHost {@code __OW_API_HOST}
 * @param apiKey {@code __OW_API_KEY}: present only when the action may see its key (the caller
 *     decides, as OpenWhisk's {@code provide-api-key} annotation)
 * @param params the parameters (the action's {@code main} argument); never null
 */
public record ActivationInput(
    String activationId,
    String actionName,
    String namespace,
    Instant deadline,
    String apiHost,
    Optional<String> apiKey,
    ObjectNode params) {

  public ActivationInput {
    if (activationId == null || activationId.isBlank()) {
      throw new IllegalArgumentException("activationId must not be blank");
    }
    Objects.requireNonNull(actionName, "actionName");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(deadline, "deadline");
    apiHost = apiHost == null ? "" : apiHost;
    apiKey = apiKey == null ? Optional.empty() : apiKey;
    params = params == null ? JsonNodeFactory.instance.objectNode() : params.deepCopy();
  }

  /**
   * The activation's line as the action loop reads it: {@code value} plus the keys the launchers
   * turn into {@code __OW_<KEY>} variables.
   */
  Map<String, Object> toLoopMessage() {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("value", params);
    message.put("activation_id", activationId);
    message.put("action_name", actionName);
    message.put("namespace", namespace);
    message.put("deadline", Long.toString(deadline.toEpochMilli()));
    message.put("api_host", apiHost);
    apiKey.ifPresent(key -> message.put("api_key", key));
    return message;
  }
}
