package io.hpcwhisk.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ownership lease on a hand-fed monotonic clock (ms, converted to ns). */
class OwnerLeaseTest {

  private static long ms(long ms) {
    return ms * 1_000_000L;
  }

  @ParameterizedTest(name = "stale {0} ms -> lease {1} ms")
  @CsvSource({"200, 100", "400, 300", "1500, 1125", "5000, 3750", "60000, 45000"})
  void theLeaseIsTheStaleTimeLessAQuarterAndAtLeast100Ms(long staleMs, long leaseMs) {
    assertThat(OwnerLease.leaseMs(staleMs)).isEqualTo(leaseMs);
  }

  @Test
  void aStaleTimeTooShortForAMarginIsRefusedNamingTheValue() {
    assertThatThrownBy(() -> OwnerLease.leaseMs(150))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("150");
  }

  @Test
  void heartbeatsExtendTheLeaseFromWhenTheyWereSent() {
    OwnerLease l = OwnerLease.first(ms(0), 1500);
    assertThat(l.holds(ms(1124))).isTrue();
    assertThat(l.holds(ms(1125))).isFalse();
    l = l.beat(ms(300));
    assertThat(l.holds(ms(1424))).isTrue();
    assertThat(l.holds(ms(1425))).isFalse();
    // a heartbeat that committed late but was sent earlier never shortens the lease
    assertThat(l.beat(ms(100)).validUntilNanos()).isEqualTo(ms(1425));
  }

  @Test
  void aPausePastTheLeaseLapsesItAndOnlyAReconciliationGivesItBack() {
    OwnerLease l = OwnerLease.first(ms(0), 1500).beat(ms(300));
    // the process stopped at 400 ms and woke at 6 s: its next heartbeat commits
    l = l.at(ms(6000));
    assertThat(l.lapsed()).isTrue();
    l = l.beat(ms(6000));
    assertThat(l.holds(ms(6001)))
        .as("a heartbeat alone does not give back a lapsed lease")
        .isFalse();
    l = l.reconciled(ms(6010));
    assertThat(l.holds(ms(6011))).isTrue();
    assertThat(l.holds(ms(7134))).isTrue();
    assertThat(l.holds(ms(7135))).isFalse();
  }

  @Test
  void aHeartbeatSentAfterTheLeaseRanOutLapsesIt() {
    // the heartbeat thread itself was late: the lease ran out before it was sent
    OwnerLease l = OwnerLease.first(ms(0), 1500).beat(ms(2000));
    assertThat(l.lapsed()).isTrue();
    assertThat(l.holds(ms(2001))).isFalse();
  }

  @Test
  void timesAreComparedByDifferenceAcrossTheNanoTimeWrap() {
    long nearWrap = Long.MAX_VALUE - ms(500);
    OwnerLease l = OwnerLease.first(nearWrap, 1500);
    assertThat(l.holds(nearWrap + ms(1000))).isTrue();
    assertThat(l.holds(nearWrap + ms(1200))).isFalse();
  }
}
