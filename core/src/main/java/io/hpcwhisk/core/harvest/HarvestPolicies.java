package io.hpcwhisk.core.harvest;

import java.util.List;

/**
 * Looks harvest policies up by name. Each call returns a fresh policy (with fresh learned state).
 */
public final class HarvestPolicies {

  /** The names of the policies ({@link #defaults(String)}). */
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
   * The default parameters of the policy {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static PolicyParams defaults(String name) {
    return switch (name == null ? "" : name) {
      case "fib" -> FibParams.defaults();
      case "var" -> VarParams.defaults();
      case "adaptive" -> AdaptiveParams.defaults();
      default ->
          throw new IllegalArgumentException(
              "unknown harvest policy '" + name + "'; expected one of " + NAMES);
    };
  }
}
