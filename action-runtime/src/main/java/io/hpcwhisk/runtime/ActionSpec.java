package io.hpcwhisk.runtime;

import java.util.Map;
import java.util.Objects;

/**
 * One action version as the runtime needs it: what {@code /init} receives in OpenWhisk.
 *
 * @param versionKey identifies the action version for warm reuse, e.g. {@code guest/hello@0.0.3};
 *     two specs with the same key must carry the same code (the caller guarantees it)
 * @param kind an OpenWhisk kind name, see {@link ActionKind#parse}
 * @param code the source text, or base64 of a zip/jar/executable when {@code binary}
 * @param binary whether {@code code} is base64
 * @param main the entry point: a function name for nodejs/python ({@code main} by default), a class
 *     name (optionally {@code Class#method}) for java; ignored for blackbox
 * @param env environment variables of the action (OpenWhisk's init {@code env}), set at process
 *     start
 * @param limits time, memory, log and result limits
 * @param image a container image ({@code exec.image}, kind blackbox): the action runs in a
 *     container of it (see {@link ImageRuntimes}); null for the other actions
 */
public record ActionSpec(
    String versionKey,
    String kind,
    String code,
    boolean binary,
    String main,
    Map<String, String> env,
    ActionLimits limits,
    String image) {

  public ActionSpec {
    if (versionKey == null || versionKey.isBlank()) {
      throw new IllegalArgumentException("versionKey must not be blank");
    }
    ActionKind.parse(kind);
    Objects.requireNonNull(code, "code");
    main = main == null || main.isBlank() ? "main" : main;
    env = env == null ? Map.of() : Map.copyOf(env);
    limits = limits == null ? ActionLimits.defaults() : limits;
    image = image == null || image.isBlank() ? null : image;
  }

  /** An action without a container image. */
  public ActionSpec(
      String versionKey,
      String kind,
      String code,
      boolean binary,
      String main,
      Map<String, String> env,
      ActionLimits limits) {
    this(versionKey, kind, code, binary, main, env, limits, null);
  }

  /** A text action with {@code main} as entry point, no env and default limits. */
  public static ActionSpec text(String versionKey, String kind, String code) {
    return new ActionSpec(versionKey, kind, code, false, "main", Map.of(), ActionLimits.defaults());
  }

  /**
   * A binary action (base64 zip, jar or executable) with the given entry point and default limits.
   */
  public static ActionSpec binary(String versionKey, String kind, String base64, String main) {
    return new ActionSpec(versionKey, kind, base64, true, main, Map.of(), ActionLimits.defaults());
  }

  public ActionKind actionKind() {
    return ActionKind.parse(kind);
  }

  public ActionSpec withLimits(ActionLimits value) {
    return new ActionSpec(versionKey, kind, code, binary, main, env, value, image);
  }

  public ActionSpec withEnv(Map<String, String> value) {
    return new ActionSpec(versionKey, kind, code, binary, main, value, limits, image);
  }

  public ActionSpec withMain(String value) {
    return new ActionSpec(versionKey, kind, code, binary, value, env, limits, image);
  }

  /** The same action run in a container of {@code value} (null: not a container action). */
  public ActionSpec withImage(String value) {
    return new ActionSpec(versionKey, kind, code, binary, main, env, limits, value);
  }

  @Override
  public String toString() {
    return "ActionSpec["
        + versionKey
        + ", "
        + kind
        + (binary ? ", binary" : "")
        + (image != null ? ", image=" + image : "")
        + ", main="
        + main
        + "]";
  }
}
