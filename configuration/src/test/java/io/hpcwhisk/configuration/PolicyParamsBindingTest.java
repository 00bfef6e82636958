package io.hpcwhisk.configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.harvest.AdaptiveParams;
import io.hpcwhisk.core.harvest.FibParams;
import io.hpcwhisk.core.harvest.HarvestPolicies;
import io.hpcwhisk.core.harvest.VarParams;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Harvest policy parameters from text (moved here from core's AdaptivePolicyTest with the reader),
 * and what a hostile or careless {@code harvest.params} / {@code --policy-param} gets.
 */
class PolicyParamsBindingTest {

  private static final String BASE = "harvest.params";

  private static Duration min(long minutes) {
    return Duration.ofMinutes(minutes);
  }

  @Test
  void parametersAreReadFromTextAndBadOnesNamed() {
    assertThat(
            PolicyParamsBinding.read(
                "adaptive", Map.of("max-pending", "4", "min-pilot", "3m"), BASE))
        .isEqualTo(
            new AdaptiveParams(
                min(3),
                min(120),
                Duration.ofSeconds(5),
                2,
                1.0,
                4,
                0.9,
                256,
                100,
                Duration.ofSeconds(20),
                Duration.ofSeconds(30),
                min(5),
                2));
    assertThat(
            PolicyParamsBinding.read(
                "adaptive", Map.of("ladder-max", "0s", "ladder-copies", "3"), BASE))
        .isEqualTo(
            new AdaptiveParams(
                min(1),
                min(120),
                Duration.ofSeconds(5),
                2,
                1.0,
                256,
                0.9,
                256,
                100,
                Duration.ofSeconds(20),
                Duration.ofSeconds(30),
                Duration.ZERO,
                3));
    assertThat(
            PolicyParamsBinding.read(
                "adaptive", Map.of("warmup", "10s", "preemption-cost", "1m"), BASE))
        .isEqualTo(AdaptiveParams.defaults().withCosts(Duration.ofSeconds(10), min(1)));
    assertThatThrownBy(
            () -> PolicyParamsBinding.read("adaptive", Map.of("max-pending", "many"), BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessage("harvest.params.max-pending: \"many\" is not a whole number");
    assertThatThrownBy(() -> PolicyParamsBinding.read("adaptive", Map.of("bogus", "1"), BASE))
        .hasMessageStartingWith("harvest.params.bogus: unknown key for policy adaptive")
        .hasMessageContaining("expected some of [history, ladder-copies");
    assertThatThrownBy(() -> PolicyParamsBinding.read("greedy", Map.of(), BASE))
        .isNotInstanceOf(ConfigException.class)
        .hasMessageContaining("'greedy'")
        .hasMessageContaining("[fib, var, adaptive]");
    assertThat(
            PolicyParamsBinding.read(
                "fib", Map.of("ladder", "90m, 2m", "pending-per-length", "3"), BASE))
        .isEqualTo(new FibParams(List.of(min(2), min(90)), 3));
  }

  @Test
  void missingKeysTakeEachPolicysDefaults() {
    for (String name : HarvestPolicies.NAMES) {
      assertThat(PolicyParamsBinding.read(name, Map.of(), BASE))
          .isEqualTo(HarvestPolicies.defaults(name));
    }
    assertThat(PolicyParamsBinding.read("var", Map.of("pending", " 4 ", "time", "1h"), BASE))
        .isEqualTo(new VarParams(4, Duration.ofHours(1), VarParams.DEFAULT_TIME_MIN));
  }

  @Test
  void aMisspeltKeyIsNamedWithTheNearestKnownOne() {
    assertThatThrownBy(() -> PolicyParamsBinding.read("adaptive", Map.of("max-pendng", "4"), BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "harvest.params.max-pendng: unknown key for policy adaptive (did you mean"
                + " harvest.params.max-pending?)");
    assertThatThrownBy(() -> PolicyParamsBinding.read("var", Map.of("ladder", "2m"), "var"))
        .hasMessage(
            "var.ladder: unknown key for policy var; expected some of [pending, time, time-min]");
  }

  @Test
  void negativeNumbersAreRefusedNamingTheKeyAndTheValue() {
    assertThatThrownBy(() -> PolicyParamsBinding.read("adaptive", Map.of("pool", "-3"), BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "harvest.params: adaptive pool and max-pending must be 0 or more, got -3 and 256");
    assertThatThrownBy(() -> PolicyParamsBinding.read("var", Map.of("pending", "-1"), BASE))
        .hasMessage("harvest.params: var pending must be 0 or more, got -1");
    assertThatThrownBy(
            () -> PolicyParamsBinding.read("adaptive", Map.of("pool-share", "-0.5"), BASE))
        .hasMessage("harvest.params: adaptive pool-share must be in [0, 10], got -0.5");
  }

  @Test
  void garbageIsRefusedNamingTheKeyTheValueAndTheExpectedType() {
    assertThatThrownBy(() -> PolicyParamsBinding.read("var", Map.of("pending", "1.5"), BASE))
        .hasMessage("harvest.params.pending: \"1.5\" is not a whole number");
    assertThatThrownBy(() -> PolicyParamsBinding.read("var", Map.of("time", "soon"), BASE))
        .hasMessage("harvest.params.time: \"soon\" is not a duration (expected e.g. 5s, 1m)");
    assertThatThrownBy(() -> PolicyParamsBinding.read("fib", Map.of("ladder", "2m,,4m"), BASE))
        .hasMessage("harvest.params.ladder: \"\" is not a duration (expected e.g. 5s, 1m)");
    assertThatThrownBy(
            () -> PolicyParamsBinding.read("adaptive", Map.of("pool-quantile", "NaN"), BASE))
        .hasMessage("harvest.params: adaptive pool-quantile must be in [0, 1], got NaN");
    assertThatThrownBy(
            () ->
                PolicyParamsBinding.read(
                    "adaptive", Map.of("pool", "1\n2026-01-01 INFO forged log line"), BASE))
        .hasMessageNotContaining("\n")
        .hasMessageStartingWith("harvest.params.pool: \"1?2026-01-01 INFO forged log line\"");
  }

  @Test
  void hugeNumbersAreOutOfRangeNotWrappedAround() {
    assertThatThrownBy(
            () -> PolicyParamsBinding.read("adaptive", Map.of("max-pending", "4294967297"), BASE))
        .hasMessage(
            "harvest.params.max-pending: 4294967297 is out of range (expected a whole number up"
                + " to 2147483647)");
    String digits = "9".repeat(500);
    assertThatThrownBy(() -> PolicyParamsBinding.read("var", Map.of("pending", digits), BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("harvest.params.pending: \"99999")
        .hasMessageContaining("...\" is not a whole number");
    assertThatThrownBy(
            () -> PolicyParamsBinding.read("adaptive", Map.of("pool-share", "1e400"), BASE))
        .hasMessage("harvest.params: adaptive pool-share must be in [0, 10], got Infinity");
  }

  @Test
  void durationsTooLongForJavaAreNotDurations() {
    assertThatThrownBy(
            () -> PolicyParamsBinding.read("fib", Map.of("ladder", "2m,99999999999999999d"), BASE))
        .hasMessage(
            "harvest.params.ladder: \"99999999999999999d\" is not a duration (expected e.g. 5s,"
                + " 1m)");
    assertThatThrownBy(
            () -> PolicyParamsBinding.read("var", Map.of("time", "99999999999999999d"), BASE))
        .hasMessage(
            "harvest.params.time: \"99999999999999999d\" is not a duration (expected e.g. 5s, 1m)");
  }
}
