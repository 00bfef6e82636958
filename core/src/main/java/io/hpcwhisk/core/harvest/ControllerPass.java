package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.JobId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The decision of one controller pass: the intents from a cluster snapshot, our fleet, the policy
 * and the controller's {@link PassRules}. The live controller ({@code ReconcilePass}), the batch
 * simulator ({@code PilotHarvester}) and the online replay ({@code OnlineReplay}) call it; they
 * only gather its inputs and carry out what it returns.
 *
 * <p><b>Algorithm.</b> (1) With {@link PassRules#expeditePreemption}: for every running pilot whose
 * end Slurm pulled in ({@link Pilot#endPulledIn}: it is being preempted with a grace time) and that
 * was not cancelled for that already, a {@link Intent.CancelPilot} with cause {@link
 * Intent.Cause#PREEMPTING}, in fleet (job id) order. (2) The policy's intents for the snapshot and
 * fleet. (3) Everything decided is carried out in that order, except the submissions after the
 * first {@link PassRules#maxSubmissions}.
 *
 * <p><b>Example.</b> Rules (expedite, at most 2 submissions); pilot 7 runs on n1 and Slurm pulled
 * its end in; the policy asks for three pilots. Decided: cancel 7 (preempting), submit, submit,
 * submit; carried out: cancel 7 and the first two submissions. The next pass, told that 7 was
 * cancelled, does not cancel it again.
 *
 * <p><b>Known caveats.</b> The pass is as stateful as its policy (a learning policy learns from
 * every call); the caller must say which pilots it has already cancelled for preemption, as only it
 * knows whether the cancel was carried out.
 */
public final class ControllerPass {

  private final HarvestPolicy policy;
  private final PassRules rules;

  public ControllerPass(HarvestPolicy policy, PassRules rules) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  public HarvestPolicy policy() {
    return policy;
  }

  public PassRules rules() {
    return rules;
  }

  /**
   * The intents of one pass.
   *
   * @param snapshot the cluster now (its {@code now} is the pass's clock)
   * @param fleet our pilots now
   * @param expedited the pilots already cancelled because Slurm was preempting them (by an earlier
   *     pass)
   */
  public PassPlan plan(ClusterSnapshot snapshot, Fleet fleet, Set<JobId> expedited) {
    List<Intent> decided = expeditions(fleet, expedited);
    return carryOut(decided, policy.decide(snapshot, fleet));
  }

  /**
   * The intents of one pass with the balancer's demand: the policy's intents go through {@link
   * LongActionDemand} before the cap on submissions. With {@link LongActionDemand.Demand#NONE} the
   * plan is the same as {@link #plan(ClusterSnapshot, Fleet, Set)}'s.
   *
   * @param demand what the balancer's queue waits for
   */
  public DemandPlan plan(
      ClusterSnapshot snapshot, Fleet fleet, Set<JobId> expedited, LongActionDemand.Demand demand) {
    List<Intent> decided = expeditions(fleet, expedited);
    LongActionDemand.Decision withDemand =
        LongActionDemand.apply(
            policy.decide(snapshot, fleet),
            demand,
            snapshot,
            fleet,
            policy.maxPending(),
            policy.maxPilot());
    return new DemandPlan(carryOut(decided, withDemand.intents()), withDemand.reason());
  }

  /** A pass's plan and what the demand rule did to it (and why). */
  public record DemandPlan(PassPlan plan, String demandReason) {}

  private List<Intent> expeditions(Fleet fleet, Set<JobId> expedited) {
    List<Intent> decided = new ArrayList<>();
    if (rules.expeditePreemption()) {
      for (Pilot pilot : fleet.running()) {
        if (pilot.endPulledIn() && !expedited.contains(pilot.id())) {
          decided.add(expedite(pilot));
        }
      }
    }
    return decided;
  }

  private PassPlan carryOut(List<Intent> decided, List<Intent> policyIntents) {
    if (decided.isEmpty() && submissions(policyIntents) <= rules.maxSubmissions()) {
      return new PassPlan(
          policyIntents, policyIntents); // the usual case: nothing added, nothing left out
    }
    decided.addAll(policyIntents);
    List<Intent> toCarryOut = new ArrayList<>(decided.size());
    int submissions = 0;
    for (Intent intent : decided) {
      if (intent instanceof Intent.SubmitPilot && submissions++ >= rules.maxSubmissions()) {
        continue;
      }
      toCarryOut.add(intent);
    }
    return new PassPlan(decided, toCarryOut);
  }

  private static int submissions(List<Intent> intents) {
    int n = 0;
    for (Intent intent : intents) {
      if (intent instanceof Intent.SubmitPilot) {
        n++;
      }
    }
    return n;
  }

  private static Intent.CancelPilot expedite(Pilot pilot) {
    return new Intent.CancelPilot(
        pilot.id(),
        Intent.Cause.PREEMPTING,
        "controller: Slurm is preempting pilot "
            + pilot.id()
            + " on "
            + pilot.node().orElse("?")
            + " (end pulled in to "
            + pilot.endTime().get()
            + "); cancel it now so the batch job starts without waiting for the grace time to run"
            + " out");
  }
}
