package io.hpcwhisk.balancer.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.PilotMessage;

/**
 * Recognises a result that is the pilot's fault, not the user's: the pilot could not start the
 * action's runtime, which the pilot says with {@code completed.fault = "runtime-start"} on a whisk
 * internal error. The error text alone is the action's own result: only the fault marks the pilot's
 * fault.
 *
 * <p>Example: {@code {"status": "whisk internal error", "result": {"error": "The pilot could not
 * start the nodejs:20 runtime: mkfifo ... failed: File exists"}}} gives that error text as the
 * cause.
 */
final class RuntimeStartFault {

  private RuntimeStartFault() {}

  /** The cause (the pilot's error text), or null when the result is the action's own. */
  static String of(PilotMessage.Completed c) {
    if (c.outcome().status() != ActivationStatus.WHISK_ERROR
        || !PilotMessage.Completed.FAULT_RUNTIME_START.equals(c.fault())) {
      return null;
    }
    JsonNode error = c.outcome().result() == null ? null : c.outcome().result().get("error");
    String text = error == null ? "" : error.asText();
    return text.isEmpty() ? "the pilot reported a runtime start failure" : text;
  }
}
