package io.hpcwhisk.balancer.entity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The outcome of an activation as OpenWhisk reports it: {@code status} with its {@code statusCode}
 * (0 success, 1 application error, 2 action developer error, 3 whisk internal error), {@code
 * success}, the {@code result} object and its {@code size} in bytes.
 */
public record ActivationResponse(
    String status, int statusCode, boolean success, JsonNode result, Integer size) {

  public static final int SUCCESS = 0;
  public static final int APPLICATION_ERROR = 1;
  public static final int DEVELOPER_ERROR = 2;
  public static final int WHISK_ERROR = 3;

  public ActivationResponse {
    if (statusCode < SUCCESS || statusCode > WHISK_ERROR) {
      throw new IllegalArgumentException("statusCode must be 0..3, not " + statusCode);
    }
    status = statusName(statusCode);
    success = statusCode == SUCCESS;
    result = result == null ? JsonNodeFactory.instance.objectNode() : result;
  }

  public static ActivationResponse of(int statusCode, JsonNode result) {
    return new ActivationResponse(
        null, statusCode, false, result, result == null ? null : result.toString().length());
  }

  public static ActivationResponse success(JsonNode result) {
    return of(SUCCESS, result);
  }

  /** An error of the given kind whose result is {@code {"error": message}}. */
  public static ActivationResponse error(int statusCode, String message) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("error", message);
    return of(statusCode, result);
  }

  public static ActivationResponse whiskError(String message) {
    return error(WHISK_ERROR, message);
  }

  public static String statusName(int statusCode) {
    return switch (statusCode) {
      case SUCCESS -> "success";
      case APPLICATION_ERROR -> "application error";
      case DEVELOPER_ERROR -> "action developer error";
      default -> "whisk internal error";
    };
  }
}
