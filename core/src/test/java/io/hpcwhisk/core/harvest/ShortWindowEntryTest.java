package io.hpcwhisk.core.harvest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShortWindowEntryTest {

  static Duration s(double seconds) {
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  @ParameterizedTest(name = "window {0} s, limit {1} s, hand-over {2} s, grace {3} s -> {4}")
  @CsvSource({
    // window, shortest limit, hand-over, grace, enter, preemption planned, reason contains
    "20,  60, 0.5, 30, true,  true,  preempted at the window's end", // the example
    "120, 60, 0.5, 30, true,  false, fits", // no preemption needed
    "60,  60, 5,   30, true,  false, fits", // exactly fits, hand-over irrelevant
    "3,   60, 0.5, 30, false, false, shorter than the minimum 5 s", // eaten by the start
    "5,   60, 0.5, 30, true,  true,  preempted", // at the minimum
    "20,  60, 2,   30, false, false, not cheap", // hand-over above 1 s
    "20,  60, 1,   1,  false, false, below the grace time 1 s", // not below the grace time
    "8,   60, 1,   30, false, false, above 10 % of the 8 s window", // cost share
    "10,  60, 1,   30, true,  true,  hand-over 1 s", // exactly 10 %
  })
  void entersAShortWindowOnlyWhenThePreemptionAtItsEndIsCheap(
      double window,
      double shortest,
      double handOver,
      double grace,
      boolean enter,
      boolean planned,
      String reason) {
    ShortWindowEntry.Verdict v =
        ShortWindowEntry.decide(
            s(window), s(shortest), s(handOver), s(grace), ShortWindowEntry.Settings.DEFAULTS);
    assertThat(v.enter()).as(v.reason()).isEqualTo(enter);
    assertThat(v.preemptionPlanned()).as(v.reason()).isEqualTo(planned);
    assertThat(v.reason()).contains(reason);
  }

  @Test
  void badSettingsAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> new ShortWindowEntry.Settings(Duration.ZERO, s(1), 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minimum must be positive, got PT0S");
    assertThatThrownBy(() -> new ShortWindowEntry.Settings(s(5), s(-1), 0.1))
        .hasMessageContaining("hand-over must be >= 0, got PT-1S");
    assertThatThrownBy(() -> new ShortWindowEntry.Settings(s(5), s(1), 1.5))
        .hasMessageContaining("cost share must be in (0, 1], got 1.5");
  }
}
