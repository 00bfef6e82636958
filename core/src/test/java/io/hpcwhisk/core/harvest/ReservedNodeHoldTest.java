package io.hpcwhisk.core.harvest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReservedNodeHoldTest {

  static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  @ParameterizedTest(name = "planned in {0} s, pending {1}, horizon {2} s -> {3}")
  @CsvSource(
      nullValues = "-",
      value = {
        // planned start ahead (s), batch pending, horizon (s), verdict
        "7200, true,  -,    held", // the example: reserved for a job planned at 14:00
        "7200, true,  3600, open", // beyond a 1 h horizon
        "3600, true,  3600, held", // at the horizon: held
        "-,    true,  -,    open", // no reservation on the node
        "7200, false, -,    open", // nothing pending
        "-5,   true,  -,    held", // a planned start already due: held until now
      })
  void holdsAReservedNodeWhileBatchJobsArePending(
      Long plannedIn, boolean pending, Long horizon, String verdict) {
    FreedNodeHold.Verdict v =
        ReservedNodeHold.decide(
            "n4",
            NOW,
            Optional.ofNullable(plannedIn).map(Duration::ofSeconds),
            pending,
            Optional.ofNullable(horizon).map(Duration::ofSeconds));
    assertThat(v.held()).as(v.reason()).isEqualTo(verdict.equals("held"));
    assertThat(v.reason()).startsWith("n4: ");
    if (v instanceof FreedNodeHold.Held held) {
      assertThat(held.until()).isEqualTo(NOW.plusSeconds(Math.max(0, plannedIn)));
      assertThat(held.reason()).contains("reserved for a pending batch job");
    }
  }
}
