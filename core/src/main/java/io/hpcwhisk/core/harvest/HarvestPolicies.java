package io.hpcwhisk.core.harvest;

import java.util.List;
import java.util.Map;

/**
 * Looks harvest policies up by name. Each call returns a fresh policy (with fresh learned state).
 */
public final class HarvestPolicies {

  /** The names {@link #create(String, Map)} knows. */
  public static final List<String> NAMES = List.of("fib", "var", "adaptive");

  private HarvestPolicies() {}

  /** A policy from its typed parameters. */
  public static HarvestPolicy create(PolicyParams params) {
    if (params instanceof FibParams fib) {
      return new FibPolicy(fib);
    }
    if (params instanceof VarParams var) {
      return new VarPolicy(var);
    }
    return new AdaptivePolicy((AdaptiveParams) params);
  }

  /**
   * A policy by name, its parameters read from text ({@code ladder: "2m,4m"}, {@code max-pending:
   * "16"}); missing keys take the defaults.
   *
   * @throws IllegalArgumentException for an unknown name, an unknown key or a bad value
   */
  public static HarvestPolicy create(String name, Map<String, String> params) {
    return create(params(name, params));
  }

  /** The typed parameters for a policy name and text values. */
  public static PolicyParams params(String name, Map<String, String> params) {
    return switch (name == null ? "" : name) {
      case "fib" -> FibParams.read(params);
      case "var" -> VarParams.read(params);
      case "adaptive" -> AdaptiveParams.read(params);
      default ->
          throw new IllegalArgumentException(
              "unknown harvest policy '" + name + "'; expected one of " + NAMES);
    };
  }
}
