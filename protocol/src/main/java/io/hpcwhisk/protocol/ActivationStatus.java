package io.hpcwhisk.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The four terminal outcomes of an activation, with OpenWhisk's status codes and names as they
 * appear in an activation record's {@code response.status} ({@code "success"}, {@code "application
 * error"}, {@code "action developer error"}, {@code "whisk internal error"}).
 */
public enum ActivationStatus {
  /** The action returned a JSON object without an {@code error} field. */
  SUCCESS(0, "success"),
  /** The action returned (or rejected with) an object carrying {@code error}. */
  APPLICATION_ERROR(1, "application error"),
  /**
   * The action could not be initialised, crashed, timed out or produced an invalid or oversize
   * response.
   */
  DEVELOPER_ERROR(2, "action developer error"),
  /** HPC-Whisk itself failed: the pilot could not run the action, was preempted, or lost it. */
  WHISK_ERROR(3, "whisk internal error");

  private final int code;
  private final String text;

  ActivationStatus(int code, String text) {
    this.code = code;
    this.text = text;
  }

  /** OpenWhisk's numeric status code (0..3), as in {@code ActivationResponse.statusCode}. */
  public int code() {
    return code;
  }

  /** OpenWhisk's status name, e.g. {@code "action developer error"}; also the JSON form. */
  @JsonValue
  public String text() {
    return text;
  }

  /** {@code true} for {@link #SUCCESS} only, as OpenWhisk's {@code response.success}. */
  public boolean isSuccess() {
    return this == SUCCESS;
  }

  /** Parses OpenWhisk's status name or this enum's constant name. */
  @JsonCreator
  public static ActivationStatus parse(String value) {
    for (ActivationStatus status : values()) {
      if (status.text.equals(value) || status.name().equalsIgnoreCase(value)) {
        return status;
      }
    }
    throw new IllegalArgumentException(
        "unknown activation status '"
            + value
            + "', expected one of success, application error,"
            + " action developer error, whisk internal error");
  }
}
