package io.hpcwhisk.core.harvest;

import static io.hpcwhisk.core.harvest.Fixtures.NOW;
import static io.hpcwhisk.core.harvest.Fixtures.fleet;
import static io.hpcwhisk.core.harvest.Fixtures.idle;
import static io.hpcwhisk.core.harvest.Fixtures.min;
import static io.hpcwhisk.core.harvest.Fixtures.pending;
import static io.hpcwhisk.core.harvest.Fixtures.running;
import static io.hpcwhisk.core.harvest.Fixtures.shape;
import static io.hpcwhisk.core.harvest.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.JobId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ControllerPassTest {

  /** A policy that answers with fixed intents and records what it was asked. */
  static final class ScriptedPolicy implements HarvestPolicy {
    final List<Intent> answer;
    final List<Fleet> asked = new ArrayList<>();

    ScriptedPolicy(Intent... answer) {
      this.answer = List.of(answer);
    }

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public List<Intent> decide(ClusterSnapshot snapshot, Fleet fleet) {
      asked.add(fleet);
      return answer;
    }

    @Override
    public int maxPending() {
      return 100;
    }
  }

  static Intent.SubmitPilot submit(String why) {
    return new Intent.SubmitPilot(shape(min(10)), why);
  }

  /**
   * Pilot {@code id} running on {@code node} for 30 s of its 10 minutes, Slurm having pulled its
   * end to now + 10 s.
   */
  static Pilot beingPreempted(long id, String node) {
    Pilot p = running(id, shape(min(10)), node);
    return new Pilot(
        p.id(),
        p.shape(),
        p.state(),
        p.node(),
        p.submitTime(),
        p.startTime(),
        Optional.of(NOW.plusSeconds(10)),
        Optional.of(NOW));
  }

  @Test
  void expeditePreemptionCancelsEveryPilotSlurmIsPreemptingBeforeThePolicysIntents() {
    Intent policyCancel =
        new Intent.CancelPilot(new JobId(9), Intent.Cause.SURPLUS, "too many pending");
    ScriptedPolicy policy = new ScriptedPolicy(policyCancel);
    Fleet fleet =
        fleet(
            beingPreempted(3, "n1"),
            running(4, shape(min(10)), "n2"),
            beingPreempted(5, "n3"),
            pending(9, shape(min(10))));

    PassPlan plan =
        new ControllerPass(policy, new PassRules(true, 50))
            .plan(snapshot(idle("n4")), fleet, Set.of());

    assertThat(plan.toCarryOut()).hasSize(3);
    assertThat(plan.toCarryOut().subList(0, 2))
        .allSatisfy(
            i -> {
              assertThat(i).isInstanceOf(Intent.CancelPilot.class);
              assertThat(((Intent.CancelPilot) i).cause()).isEqualTo(Intent.Cause.PREEMPTING);
            })
        .extracting(i -> ((Intent.CancelPilot) i).jobId())
        .containsExactly(new JobId(3), new JobId(5));
    assertThat(plan.toCarryOut().get(0).reason())
        .isEqualTo(
            "controller: Slurm is preempting pilot 3 on n1 (end "
                + "pulled in to "
                + NOW.plusSeconds(10)
                + "); cancel it now so the batch job starts without waiting for the "
                + "grace time to run out");
    assertThat(plan.toCarryOut().get(2)).isEqualTo(policyCancel);
    assertThat(plan.decided()).isEqualTo(plan.toCarryOut());
    assertThat(policy.asked).containsExactly(fleet);
  }

  @Test
  void aPilotAlreadyCancelledForPreemptionIsNotCancelledAgain() {
    Fleet fleet = fleet(beingPreempted(3, "n1"), beingPreempted(5, "n3"));
    ControllerPass pass = new ControllerPass(new ScriptedPolicy(), new PassRules(true, 50));

    PassPlan plan = pass.plan(snapshot(idle("n4")), fleet, Set.of(new JobId(3)));

    assertThat(plan.toCarryOut())
        .singleElement()
        .isEqualTo(
            new Intent.CancelPilot(
                new JobId(5), Intent.Cause.PREEMPTING, plan.toCarryOut().get(0).reason()));
  }

  @Test
  void withoutExpeditePreemptionAPreemptedPilotIsLeftToSlurm() {
    PassPlan plan =
        new ControllerPass(new ScriptedPolicy(), PassRules.POLICY_ONLY)
            .plan(snapshot(idle("n4")), fleet(beingPreempted(3, "n1")), Set.of());

    assertThat(plan.decided()).isEmpty();
    assertThat(plan.toCarryOut()).isEmpty();
  }

  @Test
  void theSubmissionCapCarriesOutTheFirstSubmissionsAndEveryCancel() {
    Intent cancel =
        new Intent.CancelPilot(new JobId(9), Intent.Cause.OFF_SHAPE, "not on the ladder");
    ScriptedPolicy policy =
        new ScriptedPolicy(submit("a"), submit("b"), cancel, submit("c"), submit("d"));

    PassPlan plan =
        new ControllerPass(policy, new PassRules(false, 2))
            .plan(snapshot(idle("n1")), fleet(pending(9, shape(min(4)))), Set.of());

    assertThat(plan.decided()).isEqualTo(policy.answer);
    assertThat(plan.toCarryOut()).containsExactly(submit("a"), submit("b"), cancel);
    assertThat(plan.withheld()).isEqualTo(2);
  }

  @Test
  void underTheCapThePolicysIntentsGoOutAsTheyAre() {
    ScriptedPolicy policy = new ScriptedPolicy(submit("a"), submit("b"));

    PassPlan plan =
        new ControllerPass(policy, new PassRules(true, 2))
            .plan(snapshot(idle("n1")), fleet(), Set.of());

    assertThat(plan.toCarryOut()).isEqualTo(policy.answer);
    assertThat(plan.withheld()).isZero();
  }

  @Test
  void theCapCountsSubmissionsOnlyNotTheControllersOwnCancels() {
    ScriptedPolicy policy = new ScriptedPolicy(submit("a"), submit("b"));

    PassPlan plan =
        new ControllerPass(policy, new PassRules(true, 1))
            .plan(snapshot(idle("n1")), fleet(beingPreempted(3, "n2")), Set.of());

    assertThat(plan.toCarryOut()).hasSize(2);
    assertThat(plan.toCarryOut().get(0)).isInstanceOf(Intent.CancelPilot.class);
    assertThat(plan.toCarryOut().get(1)).isEqualTo(submit("a"));
  }

  @Test
  void theSameInputsGiveTheSamePlan() {
    Fleet fleet = fleet(beingPreempted(3, "n1"), pending(9, shape(min(10))));
    ClusterSnapshot snapshot = snapshot(idle("n4"), idle("n5"));
    var rules = new PassRules(true, 1);

    PassPlan a =
        new ControllerPass(
                HarvestPolicies.create(
                    new VarParams(4, VarParams.DEFAULT_TIME, VarParams.DEFAULT_TIME_MIN)),
                rules)
            .plan(snapshot, fleet, Set.of());
    PassPlan b =
        new ControllerPass(
                HarvestPolicies.create(
                    new VarParams(4, VarParams.DEFAULT_TIME, VarParams.DEFAULT_TIME_MIN)),
                rules)
            .plan(snapshot, fleet, Set.of());

    assertThat(a).isEqualTo(b);
    long submitted = a.decided().stream().filter(i -> i instanceof Intent.SubmitPilot).count();
    assertThat(submitted).as("var keeps 4 of its own shape pending").isEqualTo(4);
    assertThat(a.toCarryOut().stream().filter(i -> i instanceof Intent.SubmitPilot)).hasSize(1);
    assertThat(a.withheld()).isEqualTo(3);
  }

  @Test
  void aCapBelowOneIsRefusedNamingTheValue() {
    assertThatThrownBy(() -> new PassRules(false, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1, got 0");
  }
}
