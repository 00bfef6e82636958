package io.hpcwhisk.core.harvest;

import static io.hpcwhisk.core.harvest.Fixtures.fleet;
import static io.hpcwhisk.core.harvest.Fixtures.idle;
import static io.hpcwhisk.core.harvest.Fixtures.min;
import static io.hpcwhisk.core.harvest.Fixtures.pending;
import static io.hpcwhisk.core.harvest.Fixtures.running;
import static io.hpcwhisk.core.harvest.Fixtures.shape;
import static io.hpcwhisk.core.harvest.Fixtures.snapshot;
import static io.hpcwhisk.core.harvest.Fixtures.targeted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.JobId;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LongActionDemandTest {

  private static final ClusterSnapshot SNAP = snapshot(idle("n1"), idle("n2"));
  private static final LongActionDemand.Demand TWENTY_MIN =
      new LongActionDemand.Demand(Duration.ofMinutes(20));

  private static Intent.SubmitPilot pool(Duration time) {
    return new Intent.SubmitPilot(shape(time), "pool");
  }

  private static LongActionDemand.Decision apply(
      List<Intent> intents, LongActionDemand.Demand demand, Fleet fleet) {
    return LongActionDemand.apply(intents, demand, SNAP, fleet, 4, min(120));
  }

  @Test
  void needIsTheTimeoutPlusTheStartMarginInWholeMinutesUp() {
    assertThat(LongActionDemand.need(Duration.ofMinutes(20))).isEqualTo(min(21));
    assertThat(LongActionDemand.need(Duration.ofSeconds(20 * 60 + 1))).isEqualTo(min(22));
  }

  @Test
  void withoutDemandOrWithAShortOneTheIntentsStayAsTheyAre() {
    List<Intent> intents = List.of(pool(min(10)));
    LongActionDemand.Decision none = apply(intents, LongActionDemand.Demand.NONE, fleet());
    assertThat(none.intents()).isEqualTo(intents);
    assertThat(none.reason()).isEqualTo("no activation waits");
    LongActionDemand.Decision shortOne =
        apply(intents, new LongActionDemand.Demand(Duration.ofMinutes(5)), fleet());
    assertThat(shortOne.intents()).isEqualTo(intents);
    assertThat(shortOne.reason()).contains("any pilot may take it");
  }

  @Test
  void aLongActionWaitingMakesThePoolSubmissionLongEnough() {
    LongActionDemand.Decision d =
        apply(
            List.of(
                new Intent.SubmitPilot(targeted("n3", min(8), min(8)), "targeted"), pool(min(10))),
            TWENTY_MIN,
            fleet(running(1, shape(min(10)), "n1")));
    assertThat(d.intents()).hasSize(2);
    Intent.SubmitPilot targetedOne = (Intent.SubmitPilot) d.intents().get(0);
    Intent.SubmitPilot longer = (Intent.SubmitPilot) d.intents().get(1);
    assertThat(targetedOne.shape().time()).as("a window caps a targeted pilot").isEqualTo(min(8));
    assertThat(longer.shape().time()).isEqualTo(min(21));
    assertThat(longer.shape().timeMin()).isEmpty();
    assertThat(longer.reason()).contains("made 21m long by the demand rule");
    assertThat(d.reason()).contains("20m timeout + 1m start = 21m");
  }

  @Test
  void withoutAnUntargetedSubmissionOneLongPilotIsAddedBeforeTheOthers() {
    Intent.CancelPilot cancel = new Intent.CancelPilot(new JobId(9), Intent.Cause.SURPLUS, "x");
    LongActionDemand.Decision d =
        apply(
            List.of(cancel, new Intent.SubmitPilot(targeted("n3", min(8), min(8)), "targeted")),
            TWENTY_MIN,
            fleet());
    assertThat(d.intents()).hasSize(3);
    assertThat(d.intents().get(0)).isEqualTo(cancel);
    Intent.SubmitPilot added = (Intent.SubmitPilot) d.intents().get(1);
    assertThat(added.shape().time()).isEqualTo(min(21));
    assertThat(added.shape().targeted()).isFalse();
    assertThat(added.shape().partition()).isEqualTo("whisk");
    assertThat(added.reason()).startsWith("demand: long action waits");
  }

  @Test
  void aRunningPilotWithTimeLeftOrAPendingLongOneCoversTheDemand() {
    List<Intent> intents = List.of(pool(min(10)));
    LongActionDemand.Decision byRunning =
        apply(intents, TWENTY_MIN, fleet(running(1, shape(min(60)), "n1")));
    assertThat(byRunning.intents()).isEqualTo(intents);
    assertThat(byRunning.reason()).contains("running pilot 1 has");

    Pilot longPending = pending(7, shape(min(30)));
    Intent.CancelPilot policyCancel =
        new Intent.CancelPilot(new JobId(7), Intent.Cause.SURPLUS, "pool too big");
    LongActionDemand.Decision byPending =
        apply(List.of(policyCancel, pool(min(10))), TWENTY_MIN, fleet(longPending));
    assertThat(byPending.intents()).containsExactly(pool(min(10)));
    assertThat(byPending.reason()).contains("pending pilot 7 of 30m covers it").contains("kept");
  }

  @Test
  void theCapsHold() {
    LongActionDemand.Decision tooLong =
        apply(List.of(), new LongActionDemand.Demand(Duration.ofHours(3)), fleet());
    assertThat(tooLong.intents()).isEmpty();
    assertThat(tooLong.reason()).contains("longer than the longest pilot (max-pilot 2h");
    LongActionDemand.Decision full =
        apply(
            List.of(),
            TWENTY_MIN,
            fleet(
                pending(1, shape(min(5))),
                pending(2, shape(min(5))),
                pending(3, shape(min(5))),
                pending(4, shape(min(5)))));
    assertThat(full.intents()).isEmpty();
    assertThat(full.reason()).contains("reach max-pending 4");
  }

  @Test
  void aNegativeDemandIsRefused() {
    assertThatThrownBy(() -> new LongActionDemand.Demand(Duration.ofSeconds(-1)))
        .hasMessageContaining("must not be negative");
    assertThat(LongActionDemand.Demand.ofMillis(-5).none()).isTrue();
  }

  @Test
  void theControllerPassWithoutDemandPlansAsBefore() {
    ControllerPassTest.ScriptedPolicy policy =
        new ControllerPassTest.ScriptedPolicy(pool(min(10)), pool(min(10)));
    ControllerPass pass = new ControllerPass(policy, new PassRules(false, 1));
    PassPlan plain = pass.plan(SNAP, fleet(), Set.of());
    ControllerPass.DemandPlan withNone =
        pass.plan(SNAP, fleet(), Set.of(), LongActionDemand.Demand.NONE);
    assertThat(withNone.plan()).isEqualTo(plain);
    ControllerPass.DemandPlan withLong = pass.plan(SNAP, fleet(), Set.of(), TWENTY_MIN);
    assertThat(withLong.plan().toCarryOut()).hasSize(1);
    assertThat(((Intent.SubmitPilot) withLong.plan().toCarryOut().get(0)).shape().time())
        .as("the long pilot comes first, before the cap on submissions")
        .isEqualTo(min(21));
  }
}
