package io.hpcwhisk.balancer.entity;

import java.util.List;
import java.util.Map;

/**
 * The exec kinds HPC-Whisk accepts, and how {@code :default} kinds resolve. The runtimes on a pilot
 * (or the local runtime executor) decide what really runs; this list is what the API admits.
 */
public final class Kinds {

  public static final String SEQUENCE = "sequence";
  public static final String BLACKBOX = "blackbox";

  /** Every kind a client may name, in the order error messages list them. */
  public static final List<String> VALID =
      List.of(
          "nodejs:20",
          "nodejs:default",
          "python:3",
          "python:default",
          "java",
          "java:default",
          BLACKBOX,
          SEQUENCE);

  private static final Map<String, String> DEFAULTS =
      Map.of("nodejs:default", "nodejs:20", "python:default", "python:3", "java:default", "java");

  private Kinds() {}

  public static boolean isValid(String kind) {
    return VALID.contains(kind);
  }

  /** {@code nodejs:default} → {@code nodejs:20}; other kinds stay as they are. */
  public static String resolve(String kind) {
    return DEFAULTS.getOrDefault(kind, kind);
  }

  /** The message for a kind the API does not accept, naming the valid ones. */
  public static String unknownKindMessage(String kind) {
    return "kind '"
        + kind
        + "' is not supported; valid kinds are: "
        + String.join(", ", VALID)
        + ".";
  }
}
