package io.hpcwhisk.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.protocol.ActivationStatus;

/**
 * Classifies what a runtime wrote on fd 3 as OpenWhisk does: an object with {@code error} is an
 * application error (the result keeps only {@code error}); an object without it is a success; a
 * {@link #DEVELOPER_ERROR} line (an error thrown out of a Node.js {@code main}) is a developer
 * error with its message; anything else, or an oversize line, is a developer error with OpenWhisk's
 * message.
 */
final class ResultClassifier {

  /** A status with its result object. */
  record Classified(ActivationStatus status, ObjectNode result) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DETAIL_CHARS = 1000;

  /**
   * How the Node.js launcher reports an error thrown out of {@code main} (OpenWhisk's nodejs
   * runtime answers {@code /run} with 502 then, a developer error): this prefix and the message as
   * a JSON string. No JSON text starts with it, so no returned result can look like it.
   */
  static final String DEVELOPER_ERROR = "!developer-error ";

  private ResultClassifier() {}

  static Classified classify(ResultReader.Line line, long limit) {
    if (line.oversize()) {
      return developerError(OpenWhiskMessages.truncatedResponse(line.length(), limit));
    }
    if (line.text().startsWith(DEVELOPER_ERROR)) {
      String message;
      try {
        JsonNode m = JSON.readTree(line.text().substring(DEVELOPER_ERROR.length()));
        message = m != null && m.isTextual() ? m.asText() : null;
      } catch (JsonProcessingException e) {
        message = null;
      }
      if (message != null) {
        return developerError(message);
      }
    }
    JsonNode node;
    try {
      node = JSON.readTree(line.text());
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      return developerError(OpenWhiskMessages.invalidRunResponse(detail(line.text())));
    }
    ObjectNode object = (ObjectNode) node;
    if (object.has("error")) {
      ObjectNode error = JsonNodeFactory.instance.objectNode();
      error.set("error", object.get("error"));
      return new Classified(ActivationStatus.APPLICATION_ERROR, error);
    }
    return new Classified(ActivationStatus.SUCCESS, object);
  }

  static Classified developerError(String message) {
    return new Classified(ActivationStatus.DEVELOPER_ERROR, ActivationResult.errorObject(message));
  }

  private static String detail(String text) {
    String trimmed = text.strip();
    return trimmed.length() <= DETAIL_CHARS ? trimmed : trimmed.substring(0, DETAIL_CHARS) + "...";
  }
}
