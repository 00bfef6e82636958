package io.hpcwhisk.balancer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.entity.ActionLimits;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the fields of entity bodies with the type checks and messages OpenWhisk gives (400). */
final class Bodies {

  private Bodies() {}

  /** {@code [{"key": .., "value": ..}]}, null when absent. */
  static List<KeyValue> pairs(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw Rejection.malformed(
          "'" + field + "' must be an array of {\"key\": ..., \"value\": ...} objects");
    }
    List<KeyValue> out = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isObject() || !item.path("key").isTextual()) {
        throw Rejection.malformed(
            "each entry of '" + field + "' must be an object with a string 'key' and a 'value'");
      }
      out.add(new KeyValue(item.get("key").asText(), item.get("value")));
    }
    return KeyValue.merge(out);
  }

  static Boolean bool(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isBoolean()) {
      throw Rejection.malformed("'" + field + "' must be a boolean");
    }
    return node.asBoolean();
  }

  static String string(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw Rejection.malformed("'" + field + "' must be a string");
    }
    return node.asText();
  }

  /**
   * The limits in the body over {@code base}; a limit out of range is OpenWhisk's "requirement
   * failed".
   */
  static ActionLimits limits(ObjectNode body, ActionLimits base) {
    return limits(body, base, ActionLimits.MAX_TIMEOUT);
  }

  /**
   * The limits in the body over {@code base}, a {@code timeout} above {@code maxTimeoutMillis} (the
   * administrator's maximum) refused naming the value and the range.
   */
  static ActionLimits limits(ObjectNode body, ActionLimits base, int maxTimeoutMillis) {
    JsonNode node = body.get("limits");
    if (node == null || node.isNull()) {
      return base;
    }
    if (!node.isObject()) {
      throw Rejection.malformed("'limits' must be an object");
    }
    try {
      JsonNode timeout = node.get("timeout");
      if (timeout != null
          && !timeout.isNull()
          && (!timeout.isIntegralNumber() || !timeout.canConvertToInt())) {
        throw Rejection.malformed(
            "limits.timeout must be an integer number of milliseconds between "
                + ActionLimits.MIN_TIMEOUT
                + " and "
                + maxTimeoutMillis
                + " (the administrator's api.max-action-timeout-seconds), not "
                + timeout);
      }
      ActionLimits limits =
          new ActionLimits(
              intField(node, "timeout", base.timeout()),
              intField(node, "memory", base.memory()),
              intField(node, "logs", base.logs()),
              intField(node, "concurrency", base.concurrency()),
              node.has("cpu") && !node.get("cpu").isNull()
                  ? Integer.valueOf(intField(node, "cpu", 1))
                  : base.cpu());
      return timeout == null || timeout.isNull()
          ? limits
          : limits.requireTimeoutAtMost(maxTimeoutMillis);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      if (message.startsWith("requirement failed: duration")) {
        message +=
            " (limits.timeout must be between "
                + ActionLimits.MIN_TIMEOUT
                + " and "
                + maxTimeoutMillis
                + " ms; the maximum is the administrator's api.max-action-timeout-seconds)";
      }
      throw Rejection.malformed(message);
    }
  }

  private static int intField(JsonNode limits, String field, int dflt) {
    JsonNode v = limits.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw Rejection.malformed("limits." + field + " must be an integer, not " + v);
    }
    return v.intValue();
  }

  /** The total size of parameters and annotations, refused with 413 above {@code max} bytes. */
  static void checkSize(List<KeyValue> parameters, List<KeyValue> annotations, long max) {
    long size = 0;
    for (List<KeyValue> list : Arrays.asList(parameters, annotations)) {
      if (list != null) {
        for (KeyValue kv : list) {
          size += kv.key().length() + kv.value().toString().length();
        }
      }
    }
    if (size > max) {
      throw Call.tooLarge(size, max);
    }
  }
}
