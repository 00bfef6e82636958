package io.hpcwhisk.core.harvest;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.JobId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PendingPilotGateTest {

  static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
  static final BackfillTiming EVERY_SECOND =
      new BackfillTiming(Duration.ofSeconds(1), Optional.of(T0));

  static PendingPilotGate.FreeNode freed(String name, long millis) {
    return new PendingPilotGate.FreeNode(name, Optional.of(T0.plusMillis(millis)), false);
  }

  @Test
  void closedWhileEveryFreeNodeWasFreedSinceTheLastPass() {
    PendingPilotGate.Gate gate =
        PendingPilotGate.decide(
            T0.plusMillis(600),
            true,
            EVERY_SECOND,
            List.of(freed("n3", 200), new PendingPilotGate.FreeNode("n4", Optional.empty(), true)));
    assertThat(gate.open()).isFalse();
    assertThat(gate.reason())
        .startsWith(
            "batch jobs pending; every free node was freed since the last backfill "
                + "pass (n3; n3: freed by a batch job at 2026-12-07T12:00:00.200Z");
  }

  @Test
  void opensOnceThePassHasSeenTheNode() {
    BackfillTiming passed =
        new BackfillTiming(Duration.ofSeconds(1), Optional.of(T0.plusSeconds(1)));
    PendingPilotGate.Gate gate =
        PendingPilotGate.decide(T0.plusMillis(1100), true, passed, List.of(freed("n3", 200)));
    assertThat(gate.open()).isTrue();
    assertThat(gate.reason())
        .contains("n3: the backfill pass at 2026-12-07T12:00:01Z has seen it free");
  }

  @Test
  void openWithNothingPendingOrANodeFreeForLong() {
    assertThat(PendingPilotGate.decide(T0, false, EVERY_SECOND, List.of(freed("n3", 0))))
        .isEqualTo(new PendingPilotGate.Gate(true, "no batch job pending"));
    assertThat(
            PendingPilotGate.decide(
                    T0,
                    true,
                    EVERY_SECOND,
                    List.of(
                        freed("n3", 0),
                        new PendingPilotGate.FreeNode("n1", Optional.empty(), false)))
                .open())
        .isTrue();
  }

  @Test
  void closedWithBatchPendingAndNoFreeNodeSoThatTheNextEndIsHeld() {
    PendingPilotGate.Gate gate = PendingPilotGate.decide(T0, true, EVERY_SECOND, List.of());
    assertThat(gate.open()).isFalse();
    assertThat(gate.reason()).contains("no free node");
  }

  @Test
  void aClosedGateDropsSubmissionsAndKeepsCancels() {
    PilotShape shape =
        new PilotShape(
            "whisk",
            Optional.empty(),
            Duration.ofMinutes(5),
            Optional.empty(),
            0,
            Optional.empty());
    Intent submit = new Intent.SubmitPilot(shape, "pool");
    Intent cancel = new Intent.CancelPilot(new JobId(7), Intent.Cause.SURPLUS, "too many");
    assertThat(
            PendingPilotGate.filter(List.of(submit, cancel), new PendingPilotGate.Gate(false, "x")))
        .containsExactly(cancel);
    assertThat(
            PendingPilotGate.filter(List.of(submit, cancel), new PendingPilotGate.Gate(true, "x")))
        .containsExactly(submit, cancel);
  }
}
