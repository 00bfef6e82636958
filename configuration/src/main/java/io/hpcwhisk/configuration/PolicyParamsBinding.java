package io.hpcwhisk.configuration;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.core.harvest.AdaptiveParams;
import io.hpcwhisk.core.harvest.FibParams;
import io.hpcwhisk.core.harvest.HarvestPolicies;
import io.hpcwhisk.core.harvest.PolicyParams;
import io.hpcwhisk.core.harvest.VarParams;
import io.hpcwhisk.core.time.Durations;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A harvest policy's parameters ({@code harvest.params} in the file, {@code --policy-param} on the
 * simulator's command line: key → text) bound to its typed record in {@code core} with {@link
 * ConfigBinding}. Missing keys take the record's defaults; an unknown key, a value of the wrong
 * type or out of range is one {@link ConfigException} naming the key, the value and what was
 * expected, e.g. {@code harvest.params.max-pending: "many" is not a whole number}.
 */
public final class PolicyParamsBinding {

  private static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]{1,400}");

  private PolicyParamsBinding() {}

  /**
   * The typed parameters of {@code policy} from {@code values}; {@code base} is their dotted key in
   * messages ({@code harvest.params}, or the policy's name for {@code --policy-param
   * POLICY.KEY=VALUE}).
   *
   * @throws ConfigException for an unknown key or a bad value
   * @throws IllegalArgumentException for an unknown policy name
   */
  public static PolicyParams read(String policy, Map<String, String> values, String base) {
    Class<? extends Text> type =
        switch (policy == null ? "" : policy) {
          case "fib" -> Fib.class;
          case "var" -> Var.class;
          case "adaptive" -> Adaptive.class;
          // a policy name is an option value checked where it is chosen (harvest.policy, --policy):
          // as before, a plain error (exit 1 on the simulator's command line)
          default ->
              throw new IllegalArgumentException(
                  "unknown harvest policy '"
                      + ConfigBinding.printable(String.valueOf(policy))
                      + "'; expected one of "
                      + HarvestPolicies.NAMES);
        };
    ObjectNode tree = JsonNodeFactory.instance.objectNode();
    Set<String> known = keys(type);
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (!known.contains(e.getKey())) {
        String nearest = Nearest.to(e.getKey(), known);
        throw new ConfigException(
            ConfigBinding.printable(base + "." + e.getKey()),
            "unknown key for policy "
                + policy
                + (nearest == null || Nearest.distance(e.getKey(), nearest) > 3
                    ? ""
                    : " (did you mean " + base + "." + nearest + "?)")
                + "; expected some of "
                + known);
      }
      String text = e.getValue() == null ? "" : e.getValue().strip();
      tree.set(
          e.getKey(),
          WHOLE.matcher(text).matches()
              ? JsonNodeFactory.instance.numberNode(new BigInteger(text))
              : JsonNodeFactory.instance.textNode(text));
    }
    Text bound = ConfigBinding.bind(tree, base, type);
    try {
      return bound.params();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(base, e.getMessage());
    }
  }

  /** The keys of a binding record, in kebab case. */
  private static Set<String> keys(Class<? extends Text> type) {
    Set<String> keys = new TreeSet<>();
    for (RecordComponent c : type.getRecordComponents()) {
      keys.add(c.getName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
    }
    return keys;
  }

  /** A policy's parameters as written: null for a missing key. */
  private interface Text {
    /** The typed record, missing keys at their defaults. */
    PolicyParams params();
  }

  /** {@code fib}: {@code ladder} (durations separated by commas), {@code pending-per-length}. */
  private record Fib(
      @JsonDeserialize(using = DurationList.class) List<Duration> ladder, Integer pendingPerLength)
      implements Text {
    @Override
    public FibParams params() {
      return new FibParams(
          Check.orDefault(ladder, FibParams.DEFAULT_LADDER),
          Check.orDefault(pendingPerLength, FibParams.DEFAULT_PENDING_PER_LENGTH));
    }
  }

  /** {@code var}: {@code pending}, {@code time}, {@code time-min}. */
  private record Var(Integer pending, Duration time, Duration timeMin) implements Text {
    @Override
    public VarParams params() {
      return new VarParams(
          Check.orDefault(pending, VarParams.DEFAULT_PENDING),
          Check.orDefault(time, VarParams.DEFAULT_TIME),
          Check.orDefault(timeMin, VarParams.DEFAULT_TIME_MIN));
    }
  }

  /** {@code adaptive}: the keys of {@link AdaptiveParams}. */
  private record Adaptive(
      Duration minPilot,
      Duration maxPilot,
      Duration windowMargin,
      Integer pool,
      Double poolShare,
      Integer maxPending,
      Double poolQuantile,
      Integer history,
      Integer poolNice,
      Duration warmup,
      Duration preemptionCost,
      Duration ladderMax,
      Integer ladderCopies)
      implements Text {
    @Override
    public AdaptiveParams params() {
      return new AdaptiveParams(
          Check.orDefault(minPilot, AdaptiveParams.DEFAULT_MIN_PILOT),
          Check.orDefault(maxPilot, AdaptiveParams.DEFAULT_MAX_PILOT),
          Check.orDefault(windowMargin, AdaptiveParams.DEFAULT_WINDOW_MARGIN),
          Check.orDefault(pool, AdaptiveParams.DEFAULT_POOL),
          Check.orDefault(poolShare, AdaptiveParams.DEFAULT_POOL_SHARE),
          Check.orDefault(maxPending, AdaptiveParams.DEFAULT_MAX_PENDING),
          Check.orDefault(poolQuantile, AdaptiveParams.DEFAULT_POOL_QUANTILE),
          Check.orDefault(history, AdaptiveParams.DEFAULT_HISTORY),
          Check.orDefault(poolNice, AdaptiveParams.DEFAULT_POOL_NICE),
          Check.orDefault(warmup, AdaptiveParams.DEFAULT_WARMUP),
          Check.orDefault(preemptionCost, AdaptiveParams.DEFAULT_PREEMPTION_COST),
          Check.orDefault(ladderMax, AdaptiveParams.DEFAULT_LADDER_MAX),
          Check.orDefault(ladderCopies, AdaptiveParams.DEFAULT_LADDER_COPIES));
    }
  }

  /** Durations separated by commas ({@code "2m, 4m"}), as {@code harvest.params} joins a list. */
  static final class DurationList extends JsonDeserializer<List<Duration>> {
    @Override
    public List<Duration> deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      if (!p.currentToken().isScalarValue()) {
        ctxt.handleUnexpectedToken(Duration.class, p);
        return null;
      }
      String text = p.getText();
      List<Duration> out = new ArrayList<>();
      for (String part : Arrays.asList(text.split(","))) {
        try {
          out.add(Durations.parse(part.strip()));
        } catch (IllegalArgumentException | ArithmeticException e) {
          throw InvalidFormatException.from(p, "not a duration", part.strip(), Duration.class);
        }
      }
      return out;
    }
  }
}
