package io.hpcwhisk.core.harvest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassPacingTest {

  private static final Duration FIVE = Duration.ofSeconds(5);
  private final PassPacing pacing = new PassPacing(FIVE, Duration.ofSeconds(30));

  @Test
  void quietPassesBackOffDoublingUpToTheIdleInterval() {
    List<Long> delays = new ArrayList<>();
    Duration delay = FIVE;
    for (int i = 0; i < 5; i++) {
      delay = pacing.next(delay, false);
      delays.add(delay.toSeconds());
    }
    assertThat(delays).containsExactly(10L, 20L, 30L, 30L, 30L);
  }

  @Test
  void anyChangeReturnsToTheFastIntervalAtOnce() {
    assertThat(pacing.next(Duration.ofSeconds(30), true)).isEqualTo(FIVE);
    assertThat(pacing.next(Duration.ofSeconds(20), true)).isEqualTo(FIVE);
    assertThat(pacing.next(FIVE, true)).isEqualTo(FIVE);
  }

  @Test
  void aDelayBelowTheIntervalIsRaisedToIt() {
    assertThat(pacing.next(Duration.ZERO, false)).isEqualTo(FIVE);
  }

  @Test
  void anIdleIntervalEqualToTheIntervalTurnsTheBackOffOff() {
    PassPacing off = new PassPacing(FIVE, FIVE);
    assertThat(off.next(FIVE, false)).isEqualTo(FIVE);
    assertThat(off.next(off.next(FIVE, false), false)).isEqualTo(FIVE);
  }

  @Test
  void theBackOffIsBoundedForAnyNumberOfQuietPasses() {
    Duration delay = FIVE;
    for (int i = 0; i < 1_000; i++) {
      delay = pacing.next(delay, false);
      assertThat(delay).isBetween(FIVE, Duration.ofSeconds(30));
    }
  }

  @Test
  void aLatePassCountsTheTicksItOverranAndDoesNotQueueThem() {
    assertThat(PassPacing.skipped(Duration.ofMillis(4_900), FIVE)).isZero();
    assertThat(PassPacing.skipped(FIVE, FIVE)).isZero();
    assertThat(PassPacing.skipped(Duration.ofMillis(5_001), FIVE)).isEqualTo(1);
    assertThat(PassPacing.skipped(Duration.ofSeconds(16), FIVE)).isEqualTo(3);
  }

  @Test
  void refusesAnIdleIntervalShorterThanTheInterval() {
    assertThatThrownBy(() -> new PassPacing(Duration.ofSeconds(10), FIVE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT5S")
        .hasMessageContaining("PT10S");
    assertThatThrownBy(() -> new PassPacing(Duration.ZERO, FIVE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
  }
}
