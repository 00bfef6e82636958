package io.hpcwhisk.bench.harvest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hpcwhisk.bench.harvest.IdleAccounting.Loss;
import io.hpcwhisk.bench.harvest.IdleAccounting.Run;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleAccountingTest {

  static final Instant T0 = Instant.parse("2026-11-27T04:00:00Z");

  static Run run(String node, boolean pilot, long from, long to) {
    return new Run(node, pilot, T0.plusSeconds(from), T0.plusSeconds(to));
  }

  @Test
  void theWorkedExampleOfTheClassComment() {
    var t =
        IdleAccounting.account(
            List.of("n1"),
            List.of(
                run("n1", false, 0, 10),
                run("n1", true, 12, 130),
                run("n1", true, 131, 190),
                run("n1", false, 200, 300)),
            T0,
            T0.plusSeconds(300),
            Duration.ofMinutes(1));

    assertThat(t.idle()).isEqualTo(190);
    assertThat(t.covered()).isEqualTo(177);
    assertThat(t.lost(Loss.START_LATENCY)).isEqualTo(2);
    assertThat(t.lost(Loss.BETWEEN_PILOTS)).isEqualTo(1);
    assertThat(t.lost(Loss.AFTER_LAST_PILOT)).isEqualTo(10);
    assertThat(t.share()).isCloseTo(177.0 / 190, within(1e-9));
    assertThat(t.idlePeriods()).isEqualTo(1);
  }

  @Test
  void idlePeriodsWithoutPilotAreShortOrUnservedAndTheSpanClipsEveryRun() {
    var t =
        IdleAccounting.account(
            List.of("n1", "n2"),
            List.of(
                run("n1", false, -50, 40),
                run("n1", false, 80, 200),
                run("n1", false, 150, 296), // idle 40-80: short
                run("n1", false, 298, 400), // idle 296-298: hand-over
                run("n2", false, 0, 100), // n2 idle 100-300 with no pilot: not served
                run(
                    "n2", true, 250,
                    500)), // ... except the last 50 s, clipped at the end of the span
            T0,
            T0.plusSeconds(300),
            Duration.ofMinutes(1));

    assertThat(t.idle()).isEqualTo(40 + 2 + 200);
    assertThat(t.lost(Loss.HANDOVER)).isEqualTo(2);
    assertThat(t.covered()).isEqualTo(50);
    assertThat(t.lost(Loss.SHORT_IDLE)).isEqualTo(40);
    assertThat(t.lost(Loss.START_LATENCY)).isEqualTo(150);
    assertThat(t.lost(Loss.NO_PILOT)).isZero();
    assertThat(t.lost().values().stream().mapToDouble(Double::doubleValue).sum() + t.covered())
        .isEqualTo(t.idle());
  }
}
