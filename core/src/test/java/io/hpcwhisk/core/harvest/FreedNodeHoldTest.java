package io.hpcwhisk.core.harvest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FreedNodeHoldTest {

  static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

  static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  @ParameterizedTest(name = "freed {0} s, now {1} s, pending {2}, last pass {3} s -> {4} until {5}")
  @CsvSource(
      nullValues = "-",
      value = {
        // freed, now, pending, last pass, verdict, until
        "10,   10,   true,  0,  held, 30", // the example: held for the 12:00:30 pass
        "10,   29.9, true,  0,  held, 30",
        "10,   30,   true,  30, open, -", // the pass at 30 ran and saw the node free
        "30,   30,   true,  30, open, -", // a pass at the very instant sees it
        "10,   10,   false, 0,  open, -", // nothing pending: nothing to backfill
        "10,   31,   true,  0,  held, 60", // pass due at 30 not reported yet: held one more
        // interval
        "10,   60,   true,  0,  open, -", // backfill stuck: give up
        "10,   10,   true,  -,  held, 40", // last pass unknown: one interval from the end
        "10,   40,   true,  -,  open, -",
        "95,   95,   true,  0,  held, 120", // on the grid of the last pass
      })
  void holdsAFreedNodeUntilTheNextBackfillPassHadItsChance(
      double freed, double now, boolean pending, Double last, String verdict, Double until) {
    BackfillTiming timing =
        new BackfillTiming(
            Duration.ofSeconds(30), last == null ? Optional.empty() : Optional.of(at(last)));
    FreedNodeHold.Verdict v = FreedNodeHold.decide("n7", at(freed), at(now), pending, timing);
    assertThat(v.held()).isEqualTo(verdict.equals("held"));
    assertThat(v.reason()).startsWith("n7: ");
    if (v instanceof FreedNodeHold.Held held) {
      assertThat(held.until()).isEqualTo(at(until));
      assertThat(v.reason()).contains("batch jobs pending");
    }
  }

  @Test
  void theReasonNamesThePassAndTheInterval() {
    FreedNodeHold.Verdict v =
        FreedNodeHold.decide(
            "n7",
            at(10),
            at(10),
            true,
            new BackfillTiming(Duration.ofSeconds(30), Optional.of(T0)));
    assertThat(v.reason())
        .isEqualTo(
            "n7: freed by a batch job at 2026-12-07T12:00:10Z with batch jobs pending; "
                + "held for Slurm's next backfill pass at 2026-12-07T12:00:30Z (bf_interval 30 s)");
  }

  @Test
  void firstPassFromCountsAPassAtTheInstantItself() {
    BackfillTiming t = new BackfillTiming(Duration.ofMillis(1500), Optional.of(T0));
    assertThat(t.firstPassFrom(T0)).isEqualTo(T0);
    assertThat(t.firstPassFrom(at(1.5))).isEqualTo(at(1.5));
    assertThat(t.firstPassFrom(at(1.501))).isEqualTo(at(3));
    assertThat(t.firstPassFrom(T0.minusSeconds(5))).isEqualTo(T0);
  }

  @Test
  void refusesANonPositiveInterval() {
    assertThatThrownBy(() -> BackfillTiming.every(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bf_interval must be positive, got PT0S");
  }
}
