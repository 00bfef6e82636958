package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.time.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Typed parameters of a harvest policy, one record per policy, each with its defaults written next
 * to it. {@link HarvestPolicies#create(String, Map)} reads them from text (configuration files,
 * command lines).
 */
public sealed interface PolicyParams permits FibParams, VarParams, AdaptiveParams {

  /** The policy these parameters configure. */
  String policyName();

  /**
   * Reads a string map with a fixed set of keys; unknown keys and bad values are refused with their
   * name.
   */
  final class Reader {
    private final String policy;
    private final Map<String, String> values;

    Reader(String policy, Map<String, String> values, Set<String> known) {
      this.policy = policy;
      this.values = Map.copyOf(values);
      Set<String> unknown = new TreeSet<>(values.keySet());
      unknown.removeAll(known);
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException(
            "unknown parameter(s) "
                + unknown
                + " for policy "
                + policy
                + "; expected some of "
                + new TreeSet<>(known));
      }
    }

    <T> T get(String key, T fallback, Function<String, T> parse) {
      String text = values.get(key);
      if (text == null) {
        return fallback;
      }
      try {
        return parse.apply(text.strip());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "bad value '" + text + "' for " + policy + " parameter " + key + ": " + e.getMessage(),
            e);
      }
    }

    int integer(String key, int fallback) {
      return get(key, fallback, Integer::parseInt);
    }

    double decimal(String key, double fallback) {
      return get(key, fallback, Double::parseDouble);
    }

    Duration duration(String key, Duration fallback) {
      return get(key, fallback, Durations::parse);
    }
  }
}
