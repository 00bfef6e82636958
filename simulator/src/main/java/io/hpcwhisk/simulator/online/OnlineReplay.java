package io.hpcwhisk.simulator.online;

import io.hpcwhisk.configuration.PolicyParamsBinding;
import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.ControllerPass;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.HarvestPolicies;
import io.hpcwhisk.core.harvest.HarvestPolicy;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.PassPlan;
import io.hpcwhisk.core.harvest.PassRules;
import io.hpcwhisk.core.harvest.Pilot;
import io.hpcwhisk.simulator.availability.AvailabilityObserver;
import io.hpcwhisk.simulator.availability.AvailabilityReplay;
import io.hpcwhisk.simulator.availability.GrowableInts;
import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.availability.TraceFacts;
import io.hpcwhisk.simulator.replay.ReplayMode;
import io.hpcwhisk.simulator.report.CoverageFigures;
import io.hpcwhisk.simulator.report.Timeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Replays an idle-node log online: at every sample a production {@link HarvestPolicy} decides from
 * what a controller could see then, and a {@link SimulatedCluster} carries the intents out (the
 * steps are on {@link #run}); an optimistic bound, whose assumptions are stated in
 * docs/simulator-guide.md, "What the online numbers assume".
 */
public final class OnlineReplay implements AvailabilityObserver {

  /** The partition the simulated pilots go to (the Prometheus run's name). */
  static final HarvestTarget TARGET = HarvestTarget.partition("lowprio");

  private final HarvestPolicy policy;

  /** The production controller pass around the policy. */
  private final ControllerPass decision;

  /** Running pilots cancelled because their end was pulled in (only with expedite-preemption). */
  private final Set<JobId> expedited = new HashSet<>();

  private ClusterSnapshot lastSnapshot;
  private PassPlan lastPlan;
  private final ReplayMode.Online mode;
  private final long seed;
  private final SimulatedCluster cluster;
  private final ControllerView view;
  private final GrowableInts warming = new GrowableInts();
  private final GrowableInts ready = new GrowableInts();
  private final GrowableInts pending = new GrowableInts();
  private final List<long[]> runIndexes = new ArrayList<>();
  private final List<Long> times = new ArrayList<>();
  private final List<String> ignoredReasons = new ArrayList<>();
  private BitSet previous = new BitSet();
  private int nodesSeen;
  private long submits;
  private long cancels;
  private long ignored;
  private long decisions;
  private int samples = -1;

  public OnlineReplay(ReplayMode.Online mode, long seed) {
    this(mode, seed, PassRules.POLICY_ONLY);
  }

  /**
   * @param rules the controller's rules around the policy; the published figures are with {@link
   *     PassRules#POLICY_ONLY} (no cap on submissions; nothing to expedite, as a preempted pilot
   *     leaves at once)
   */
  public OnlineReplay(ReplayMode.Online mode, long seed, PassRules rules) {
    this(mode, seed, ControllerView.Scope.ACTIVE_NODES, rules);
  }

  OnlineReplay(ReplayMode.Online mode, long seed, ControllerView.Scope scope) {
    this(mode, seed, scope, PassRules.POLICY_ONLY);
  }

  private OnlineReplay(
      ReplayMode.Online mode, long seed, ControllerView.Scope scope, PassRules rules) {
    this.mode = mode;
    this.seed = seed;
    this.policy =
        HarvestPolicies.create(
            PolicyParamsBinding.read(mode.policy(), mode.policyParams(), mode.policy()));
    this.decision = new ControllerPass(policy, rules);
    NodeNaming naming = new NodeNaming();
    this.cluster =
        new SimulatedCluster(
            mode.warmupSeconds(), mode.placement(), new SplittableRandom(seed), naming);
    this.view = new ControllerView(TARGET, naming, scope);
  }

  /**
   * Reads {@code idleLog} and replays it online: per sample at time t, end pilots whose limit
   * passed (refilling freed nodes at that instant), preempt pilots whose node is no longer
   * available, build the {@link ClusterSnapshot} and {@link Fleet} ({@link ControllerView}), ask
   * the {@link ControllerPass} for the plan, apply its submits and cancels, start pending pilots on
   * free available nodes and record how many nodes are warming and ready at t. Shares are weighted
   * in seconds: each sample stands for the time until the next one, the last for the mean spacing.
   */
  public static OnlineResult run(
      Path idleLog, SampleWindow window, ReplayMode.Online mode, long seed, Progress progress) {
    OnlineReplay replay = new OnlineReplay(mode, seed);
    TraceFacts facts = AvailabilityReplay.run(idleLog, window, progress, List.of(replay));
    return replay.result(facts);
  }

  @Override
  public void onSample(int index, long epochSecond, BitSet available) {
    double now = epochSecond;
    cluster.advanceTo(now);
    cluster.reclaim(available, now);
    nodesSeen = Math.max(nodesSeen, available.length());
    ClusterSnapshot snapshot =
        view.snapshot(ControllerView.instant(now), available, previous, nodesSeen, cluster);
    Fleet fleet = view.fleet(snapshot);
    if (!expedited.isEmpty()) {
      expedited.retainAll(fleet.running().stream().map(Pilot::id).toList());
    }
    PassPlan plan = decision.plan(snapshot, fleet, expedited);
    lastSnapshot = snapshot;
    lastPlan = plan;
    decisions++;
    for (Intent intent : plan.toCarryOut()) {
      apply(intent, now);
    }
    cluster.schedule(now);
    int readyNow = cluster.readyCount(now);
    warming.set(index, cluster.runningCount() - readyNow);
    ready.set(index, readyNow);
    pending.set(index, cluster.pendingCount());
    times.add(epochSecond);
    previous = (BitSet) available.clone();
  }

  private void apply(Intent intent, double now) {
    if (intent instanceof Intent.SubmitPilot submit) {
      if (!submit.shape().partition().equals(TARGET.partition())) {
        ignore(intent, "partition " + submit.shape().partition() + " is not the harvest partition");
        return;
      }
      cluster.submit(submit.shape(), now);
      submits++;
    } else if (intent instanceof Intent.CancelPilot cancel) {
      Optional<String> refused = cluster.cancel(cancel.jobId(), now);
      if (refused.isPresent()) {
        ignore(intent, refused.get());
      } else {
        cancels++;
        if (cancel.cause() == Intent.Cause.PREEMPTING) {
          expedited.add(cancel.jobId());
        }
      }
    }
  }

  private void ignore(Intent intent, String why) {
    ignored++;
    if (ignoredReasons.size() < 5) {
      ignoredReasons.add(intent + " -> ignored: " + why);
    }
  }

  /** The snapshot the last sample's pass decided from (empty before the first sample). */
  public Optional<ClusterSnapshot> lastSnapshot() {
    return Optional.ofNullable(lastSnapshot);
  }

  /** What the last sample's pass decided and carried out (empty before the first sample). */
  public Optional<PassPlan> lastPlan() {
    return Optional.ofNullable(lastPlan);
  }

  @Override
  public void onRunEnd(int node, int startIndex, int endIndex) {
    runIndexes.add(new long[] {startIndex, endIndex});
  }

  @Override
  public void onFinish(int samples, int nodes) {
    this.samples = samples;
    if (samples == 0) {
      return;
    }
    double mean =
        samples < 2 ? 1 : (times.get(samples - 1) - times.get(0)) / (double) (samples - 1);
    cluster.finish(times.get(samples - 1) + mean);
  }

  /** The figures, once the replay that fed this observer has finished. */
  public OnlineResult result(TraceFacts facts) {
    if (samples != facts.samples()) {
      throw new IllegalStateException(
          "the replay has not finished: saw " + samples + " of " + facts.samples() + " samples");
    }
    PilotAccounting a = cluster.accounting();
    Timeline timeline = new Timeline(warming.toArray(samples), ready.toArray(samples));
    double availableSeconds = facts.availableNodeSeconds();
    double ceiling = 0;
    for (long[] run : runIndexes) {
      int start = (int) run[0];
      int end = (int) run[1];
      double startTime = facts.epochSecond(start);
      double endTime =
          end < samples
              ? facts.epochSecond(end)
              : facts.epochSecond(samples - 1) + facts.intervalSeconds(samples - 1);
      ceiling += Math.max(0, endTime - startTime - mode.warmupSeconds());
    }
    int noReady = timeline.noReadySamples();
    CoverageFigures figures =
        new CoverageFigures(
            "seconds",
            CoverageFigures.share(a.readySeconds, availableSeconds),
            CoverageFigures.share(a.warmingSeconds, availableSeconds),
            availableSeconds == 0 ? 0 : 1 - (a.readySeconds + a.warmingSeconds) / availableSeconds,
            a.started,
            noReady,
            noReady / (double) samples,
            timeline.longestNoReadyStretch(),
            a.readySeconds / facts.durationSeconds(),
            CoverageFigures.share(ceiling, availableSeconds));
    long pendingTotal = 0;
    int pendingMax = 0;
    for (int i = 0; i < samples; i++) {
      pendingTotal += pending.get(i);
      pendingMax = Math.max(pendingMax, pending.get(i));
    }
    OnlineCounters counters =
        new OnlineCounters(
            a.submitted,
            a.pendingCancelled,
            a.timedOut,
            a.preempted,
            a.preemptedBeforeReady,
            a.cancelledRunning,
            a.runningAtEnd,
            a.pilotSeconds,
            a.readySeconds,
            a.warmingSeconds,
            a.preempted * mode.graceSeconds(),
            pendingTotal / (double) samples,
            pendingMax,
            decisions,
            submits,
            cancels,
            ignored);
    return new OnlineResult(
        facts, mode, policy.name(), seed, figures, counters, timeline, ignoredReasons);
  }
}
