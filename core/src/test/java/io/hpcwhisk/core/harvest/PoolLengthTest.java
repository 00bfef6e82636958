package io.hpcwhisk.core.harvest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PoolLengthTest {

  static final AdaptiveParams PARAMS = AdaptiveParams.defaults();

  @Test
  void withNoGapSeenTheLongestPilotWins() {
    var choice = PoolLength.choose(new GapLengthEstimator(8).distribution(), PARAMS);
    assertThat(choice.length()).isEqualTo(Duration.ofHours(2));
    assertThat(choice.reason()).contains("no gap observed yet");
  }

  /**
   * The reason's rate is printed without String.format (a hot path in the simulator), exactly as
   * %.3f would.
   */
  @Property
  void threeDecimalsPrintsAsPercentPointThreeF(@ForAll double value) {
    assertThat(PoolLength.threeDecimals(value))
        .isEqualTo(String.format(Locale.ROOT, "%.3f", value));
  }

  @Test
  void threeDecimalsOnRoundingEdges() {
    for (double v :
        new double[] {
          0,
          -0.0,
          0.9995,
          0.0005,
          1.0005,
          -0.0004,
          0.1235,
          2.675,
          1e-9,
          0.95,
          Double.NEGATIVE_INFINITY,
          Double.NaN,
          123456.7895
        }) {
      assertThat(PoolLength.threeDecimals(v))
          .as("%s", v)
          .isEqualTo(String.format(Locale.ROOT, "%.3f", v));
    }
  }

  @Test
  void theWorkedExampleOfTheClassComment() {
    var gaps = new GapLengthEstimator(8);
    for (int i = 0; i < 5; i++) {
      gaps.record(Duration.ofMinutes(7));
    }
    var d = gaps.distribution();
    assertThat(PoolLength.rate(d, 240, 20, 30)).isEqualTo(220.0 / 240);
    assertThat(PoolLength.rate(d, 480, 20, 30)).isEqualTo(370.0 / 420);
    assertThat(PoolLength.choose(d, PARAMS).length()).isEqualTo(Duration.ofMinutes(7));
  }

  @Test
  void aHighPreemptionCostPrefersPilotsThatEndBeforeTheGap() {
    var gaps = new GapLengthEstimator(64);
    for (int i = 1; i <= 30; i++) {
      gaps.record(Duration.ofMinutes(30 + i)); // 31..60 min
    }
    var cheap =
        PoolLength.choose(
            gaps.distribution(), PARAMS.withCosts(Duration.ofSeconds(20), Duration.ZERO));
    var dear =
        PoolLength.choose(
            gaps.distribution(), PARAMS.withCosts(Duration.ofSeconds(20), Duration.ofHours(1)));
    assertThat(cheap.length()).isEqualTo(Duration.ofHours(2));
    assertThat(dear.length()).isLessThanOrEqualTo(Duration.ofMinutes(31));
  }

  @Property(tries = 200)
  void theLengthIsWholeMinutesWithinTheBounds(
      @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 20000) Integer> lengths,
      @ForAll @IntRange(min = 1, max = 5) int minPilot,
      @ForAll @IntRange(min = 0, max = 300) int cost) {
    var params =
        new AdaptiveParams(
            Duration.ofMinutes(minPilot),
            Duration.ofMinutes(150),
            Duration.ZERO,
            1,
            0,
            4,
            0.9,
            64,
            100,
            Duration.ofSeconds(cost / 3),
            Duration.ofSeconds(cost));
    var gaps = new GapLengthEstimator(64);
    for (int i = 0; i < lengths.size(); i++) {
      gaps.record(Duration.ofSeconds(lengths.get(i)));
    }
    var choice = PoolLength.choose(gaps.distribution(), params);
    assertThat(choice.length()).isBetween(params.minPilot(), params.maxPilot());
    assertThat(choice.length().toSeconds() % 60).isZero();
    assertThat(choice.reason()).isNotBlank();
  }
}
