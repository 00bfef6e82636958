package io.hpcwhisk.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The families of action runtime the pilot runs without Docker, each on the node's own interpreter.
 * {@link #parse} maps OpenWhisk kind names ({@code nodejs:20}, {@code python:default}, ...) here.
 */
public enum ActionKind {
  /**
   * Node.js on the node's {@code node}; code text or a zip with {@code package.json} / {@code
   * index.js}.
   */
  NODEJS("nodejs:20", List.of("nodejs:20", "nodejs:default", "nodejs")),
  /** Python 3 on the node's {@code python3}; code text or a zip with {@code __main__.py}. */
  PYTHON("python:3", List.of("python:3", "python:default", "python", "python3")),
  /**
   * A jar whose class has {@code public static JsonObject main(JsonObject)} (Gson), run on {@code
   * java}.
   */
  JAVA("java", List.of("java", "java:default", "java:8", "java:17")),
  /**
   * An executable speaking the action loop itself: a JSON line in on stdin, a JSON line out on fd
   * 3.
   */
  NATIVE("blackbox", List.of("blackbox", "native", "native:default"));

  private final String canonical;
  private final List<String> names;

  ActionKind(String canonical, List<String> names) {
    this.canonical = canonical;
    this.names = names;
  }

  /** The kind name this runtime reports, e.g. {@code nodejs:20}. */
  public String canonicalName() {
    return canonical;
  }

  /** Every OpenWhisk kind name that maps to this runtime. */
  public List<String> names() {
    return names;
  }

  /**
   * Whether the runtime is one of HPC-Whisk's own launchers (they acknowledge init and write log
   * markers).
   */
  boolean ownLauncher() {
    return this != NATIVE;
  }

  /** Parses an OpenWhisk kind name, case-insensitively. */
  public static ActionKind parse(String kind) {
    if (kind != null) {
      String lower = kind.trim().toLowerCase(Locale.ROOT);
      for (ActionKind value : values()) {
        if (value.names.contains(lower)) {
          return value;
        }
      }
    }
    throw new IllegalArgumentException(
        "unsupported action kind '" + kind + "', expected one of " + supportedNames());
  }

  /** All supported kind names, for messages and registration. */
  public static List<String> supportedNames() {
    return Arrays.stream(values()).flatMap(k -> k.names.stream()).toList();
  }
}
