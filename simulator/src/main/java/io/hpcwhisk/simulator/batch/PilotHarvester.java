package io.hpcwhisk.simulator.batch;

import io.hpcwhisk.configuration.PolicyParamsBinding;
import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.core.harvest.BackfillTiming;
import io.hpcwhisk.core.harvest.ControllerPass;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.FreedNodeHold;
import io.hpcwhisk.core.harvest.HarvestPolicies;
import io.hpcwhisk.core.harvest.HarvestPolicy;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.PassPlan;
import io.hpcwhisk.core.harvest.PassRules;
import io.hpcwhisk.core.harvest.Pilot;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.core.harvest.PilotState;
import io.hpcwhisk.core.harvest.ReservedNodeHold;
import io.hpcwhisk.core.harvest.ShortWindowEntry;
import io.hpcwhisk.simulator.snapshot.IncrementalSnapshotBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The harvest controller and the harvest partition of the model: every controller interval it
 * carries out the production {@link ControllerPass} on a snapshot from the {@link
 * IncrementalSnapshotBuilder} (equal to {@link SnapshotBuilder}'s of {@link #observe()}, checked by
 * {@link #verifySnapshots()}); the rules are stated in docs/simulator-guide.md, "The model"
 * (pilots).
 */
final class PilotHarvester {

  static final String PILOT_PREFIX = "hpcwhisk-pilot-";
  static final String HARVEST_PARTITION = "whisk";
  private static final Set<String> PARTITIONS = Set.of(Jobs.BATCH_PARTITION, HARVEST_PARTITION);

  private final SimHarvestConfig config;
  private final HarvestPolicy policy;

  /** The production controller pass around the policy (see {@link #controllerPass}). */
  private final ControllerPass decision;

  /** Running pilots cancelled because their end was pulled in (only with expedite-preemption). */
  private final Set<JobId> expedited = new HashSet<>();

  /** Told of every pass (tests); null: nobody. */
  private BiConsumer<ClusterObservation, PassPlan> passObserver;

  private final HarvestTarget target = HarvestTarget.partition(HARVEST_PARTITION);
  private final SnapshotBuilder builder = new SnapshotBuilder(target, PILOT_PREFIX);
  private final Instant origin;
  private final Map<JobId, SimPilot> active = new LinkedHashMap<>();

  /**
   * The active pilots in id order (ids grow, so a new pilot is appended), for the pass's fleet: an
   * array walk instead of the map's linked entries. Pilots that left stay until the next walk drops
   * them ({@link SimPilot#gone}).
   */
  private final ArrayList<SimPilot> activeInOrder = new ArrayList<>();

  private final TreeSet<SimPilot> untargeted =
      new TreeSet<>(
          Comparator.comparingInt((SimPilot p) -> p.shape.nice()).thenComparing(p -> p.id));
  private final Map<Integer, ArrayDeque<SimPilot>> targeted = new HashMap<>();
  private final Map<String, Integer> nodeIndex = new HashMap<>();
  private final PilotCounters counters = new PilotCounters();
  private BatchSimulation sim;

  /** The run's clock unit; the policy's shapes and this config's intervals are converted to it. */
  private TimeBase time;

  private String[] names;
  private NodeInfo[][] infos;
  private int pending;
  private long nextId = 1_000_000_000_000L;
  private long lastVersion = -1;
  private IncrementalSnapshotBuilder fast;
  private byte[] observed;
  private long[] heldMark;
  private final List<Object> changes = new ArrayList<>();
  private boolean verify;

  PilotHarvester(SimHarvestConfig config, long unixOrigin) {
    this(config, unixOrigin, PassRules.POLICY_ONLY);
  }

  /**
   * @param rules the controller's rules around the policy; the published figures are with {@link
   *     PassRules#POLICY_ONLY} (no cap on submissions, no expedited preemption: the model hands a
   *     preempted pilot's node over after the grace time itself)
   */
  PilotHarvester(SimHarvestConfig config, long unixOrigin, PassRules rules) {
    this.config = config;
    this.policy =
        HarvestPolicies.create(
            PolicyParamsBinding.read(config.policy(), config.params(), config.policy()));
    this.decision = new ControllerPass(policy, rules);
    this.origin = Instant.ofEpochSecond(unixOrigin);
  }

  void attach(BatchSimulation simulation) {
    this.sim = simulation;
    this.time = simulation.config.time();
    names = nodeNames(simulation.n);
    infos = new NodeInfo[3][simulation.n];
    NodeState[] states = {NodeState.IDLE, NodeState.PLANNED, NodeState.ALLOCATED};
    for (int i = 0; i < simulation.n; i++) {
      nodeIndex.put(names[i], i);
      for (int s = 0; s < 3; s++) {
        infos[s][i] = new NodeInfo(names[i], states[s], PARTITIONS);
      }
    }
    observed = new byte[simulation.n];
    heldMark = new long[simulation.n];
    Arrays.fill(heldMark, BatchSimulation.NONE);
    fast = new IncrementalSnapshotBuilder(target, PILOT_PREFIX, Arrays.asList(infos[0]));
  }

  /**
   * Compare the incremental snapshot with the plain one on every pass and fail on a difference
   * (tests).
   */
  void verifySnapshots() {
    verify = true;
  }

  /**
   * Tells {@code observer} of every pass, before its plan is carried out: what a live controller
   * would have read from Slurm then ({@link #observe()}) and the plan (tests compare it with the
   * live controller's).
   */
  void observePasses(BiConsumer<ClusterObservation, PassPlan> observer) {
    passObserver = observer;
  }

  /**
   * A batch job or pilot appeared, changed its plan, started or ended (see {@link #snapshot()}).
   */
  void jobChanged(Object job) {
    changes.add(job);
  }

  /** The controller's snapshot now, from the changes reported since the last pass. */
  ClusterSnapshot snapshot() {
    while (sim.touched.size() > 0) {
      int i = sim.touched.pop();
      byte s = observedState(i);
      if (s != observed[i]) {
        observed[i] = s;
        fast.node(infos[s][i]);
      }
    }
    for (Object o : changes) {
      if (o instanceof Jobs.Pending p) {
        if (!p.started) {
          fast.putJob(p.job(origin, time, names));
        } // a started job is replaced by its Running, reported right after it (same id)
      } else if (o instanceof Jobs.Running r) {
        if (r.ended) {
          fast.removeJob(r.job(origin, time, names).id());
        } else {
          fast.putJob(r.job(origin, time, names));
        }
      } else {
        SimPilot p = (SimPilot) o;
        if (active.get(p.id) == p) {
          fast.putJob(p.job(origin, time, names));
        } else {
          fast.removeJob(p.id);
        }
      }
    }
    changes.clear();
    ClusterSnapshot snapshot = fast.build(time.at(origin, sim.now));
    if (verify) {
      ClusterSnapshot plain = builder.build(observe());
      if (!plain.equals(snapshot)) {
        throw new IllegalStateException(
            "incremental snapshot differs from the plain one at "
                + sim.now
                + ":\n"
                + snapshot
                + "\n"
                + plain);
      }
    }
    return snapshot;
  }

  private byte observedState(int i) {
    return (byte)
        (sim.nodeState[i] != BatchSimulation.FREE
            ? 2
            : sim.plannedStart[i] != Long.MAX_VALUE ? 1 : 0);
  }

  /** Node names {@code n001..} zero-padded so that name order is index order. */
  static String[] nodeNames(int count) {
    int width = Integer.toString(count).length();
    String[] out = new String[count];
    for (int i = 0; i < count; i++) {
      out[i] = "n" + "0".repeat(width - Integer.toString(i + 1).length()) + (i + 1);
    }
    return out;
  }

  /** Ticks between controller passes. */
  long interval() {
    return time.ticks(config.controllerInterval());
  }

  boolean hasPending() {
    return pending > 0;
  }

  PilotCounters counters() {
    return counters;
  }

  String policyName() {
    return policy.name();
  }

  // ---- controller ----

  /**
   * One controller pass, unless nothing a controller could see changed since the last pass (same
   * cluster {@code version}): then the policy would get the same snapshot and fleet (only {@code
   * now} later) and the pass is skipped and counted. Otherwise it gathers the snapshot and fleet,
   * asks core's {@link ControllerPass} (the live controller's pass) for the plan and carries it
   * out. Returns true when intents were applied.
   */
  boolean controllerPass(long version) {
    if (config.skipUnchanged() && version == lastVersion) {
      counters.controllerPassesSkipped++;
      return false;
    }
    lastVersion = version;
    ClusterSnapshot snapshot = snapshot();
    List<Pilot> pilots = new ArrayList<>(active.size());
    int kept = 0;
    for (int i = 0; i < activeInOrder.size(); i++) {
      SimPilot p = activeInOrder.get(i);
      if (!p.gone) {
        activeInOrder.set(kept++, p);
        pilots.add(p.pilot(origin, time, names));
      }
    }
    activeInOrder.subList(kept, activeInOrder.size()).clear();
    if (!expedited.isEmpty()) {
      expedited.retainAll(active.keySet());
    }
    PassPlan plan = decision.plan(snapshot, new Fleet(pilots), expedited);
    if (passObserver != null) {
      passObserver.accept(observe(), plan);
    }
    counters.controllerPasses++;
    for (Intent intent : plan.toCarryOut()) {
      if (intent instanceof Intent.SubmitPilot submit) {
        submit(submit.shape());
      } else {
        Intent.CancelPilot cancel = (Intent.CancelPilot) intent;
        if (cancel.cause() == Intent.Cause.PREEMPTING) {
          expedited.add(cancel.jobId());
        }
        cancel(cancel.jobId());
      }
    }
    return !plan.toCarryOut().isEmpty();
  }

  ClusterObservation observe() {
    long now = sim.now;
    List<NodeInfo> nodes = new ArrayList<>(sim.n);
    for (int i = 0; i < sim.n; i++) {
      nodes.add(infos[observedState(i)][i]);
    }
    List<Job> jobs = new ArrayList<>(sim.running.size() + sim.queued + active.size());
    for (Jobs.Running r : sim.running) {
      jobs.add(r.job(origin, time, names));
    }
    for (LinkedHashSet<Jobs.Pending> tier : sim.queue.values()) {
      for (Jobs.Pending p : tier) {
        jobs.add(p.job(origin, time, names));
      }
    }
    for (SimPilot p : active.values()) {
      jobs.add(p.job(origin, time, names));
    }
    return new ClusterObservation(time.at(origin, now), nodes, jobs);
  }

  private void submit(PilotShape shape) {
    if (!shape.partition().equals(HARVEST_PARTITION)) {
      throw new IllegalStateException(
          "policy "
              + policy.name()
              + " submitted a pilot to partition "
              + shape.partition()
              + ", not the harvest partition "
              + HARVEST_PARTITION);
    }
    JobId id = new JobId(nextId++);
    SimPilot pilot = new SimPilot(id, shape, sim.now);
    active.put(id, pilot);
    activeInOrder.add(pilot);
    jobChanged(pilot);
    if (shape.targetNode().isPresent()) {
      Integer node = nodeIndex.get(shape.targetNode().get());
      if (node == null) {
        throw new IllegalStateException(
            "policy " + policy.name() + " targeted unknown node " + shape.targetNode());
      }
      targeted.computeIfAbsent(node, k -> new ArrayDeque<>()).add(pilot);
    } else {
      untargeted.add(pilot);
    }
    pending++;
    counters.submitted++;
  }

  private void cancel(JobId id) {
    SimPilot pilot = active.get(id);
    if (pilot == null) {
      return;
    }
    if (pilot.state == PilotState.PENDING) {
      removePending(pilot);
      active.remove(id);
      pilot.gone = true;
      jobChanged(pilot);
      counters.cancelledPending++;
    } else {
      int node = pilot.node;
      stop(pilot, PilotState.CANCELLED);
      counters.cancelledRunning++;
      sim.release(node);
    }
  }

  private void removePending(SimPilot pilot) {
    if (pilot.shape.targetNode().isPresent()) {
      ArrayDeque<SimPilot> queue = targeted.get(nodeIndex.get(pilot.shape.targetNode().get()));
      queue.remove(pilot);
    } else {
      untargeted.remove(pilot);
    }
    pending--;
  }

  // ---- the harvest partition ----

  boolean holdsFreedNodes() {
    return config.holdFreedNodes();
  }

  /**
   * Whether no pilot may start on free {@code node} now: core's {@link FreedNodeHold} on the node's
   * last release by a batch job, with the model's backfill grid and last pass as a live controller
   * reads them from Slurm.
   */
  boolean held(int node) {
    if (config.holdReservedNodes() && heldForReservation(node)) {
      return true;
    }
    if (!config.holdFreedNodes() || sim.freedAt[node] == BatchSimulation.NONE) {
      return false;
    }
    Optional<Instant> lastPass =
        sim.lastBackfillPass == Long.MIN_VALUE
            ? Optional.empty()
            : Optional.of(time.at(origin, sim.lastBackfillPass));
    FreedNodeHold.Verdict verdict =
        FreedNodeHold.decide(
            names[node],
            time.at(origin, sim.freedAt[node]),
            time.at(origin, sim.now),
            sim.queued > 0,
            new BackfillTiming(time.duration(sim.config.bfInterval()), lastPass));
    if (verdict.held() && heldMark[node] != sim.freedAt[node]) {
      heldMark[node] = sim.freedAt[node];
      counters.freedNodesHeld++;
    }
    return verdict.held();
  }

  /**
   * Whether core's {@link ReservedNodeHold} keeps free {@code node} empty for a pending job's
   * reservation (its planned start as a live controller reads it from {@code squeue --start}).
   */
  private boolean heldForReservation(int node) {
    long planned = sim.plannedStart[node];
    Optional<Duration> until =
        planned == BatchSimulation.NONE
            ? Optional.empty()
            : Optional.of(time.duration(planned - sim.now));
    FreedNodeHold.Verdict verdict =
        ReservedNodeHold.decide(
            names[node],
            time.at(origin, sim.now),
            until,
            sim.queued > 0,
            config.reservedHorizon() == 0
                ? Optional.empty()
                : Optional.of(Duration.ofSeconds(config.reservedHorizon())));
    if (verdict.held()) {
      counters.reservedNodesHeld++;
    }
    return verdict.held();
  }

  /**
   * The limit a pilot gets in {@code window} ticks: {@link #fit}, or with the short-window entry
   * its shortest limit in a window shorter than that when core's {@link ShortWindowEntry} finds the
   * preemption at the window's end cheap (the model's drain time is the measured hand-over).
   */
  private long limitIn(PilotShape shape, long window) {
    long limit = fit(shape, window, time);
    if (limit > 0 || !config.shortWindows() || window == Long.MAX_VALUE || window <= 0) {
      return limit;
    }
    ShortWindowEntry.Verdict verdict =
        ShortWindowEntry.decide(
            time.duration(window),
            shape.shortest(),
            time.duration(sim.config.drainTime()),
            time.duration(sim.config.graceTime()),
            ShortWindowEntry.Settings.DEFAULTS);
    if (!verdict.enter()) {
      return 0;
    }
    counters.shortWindowsEntered++;
    return time.ticks(shape.shortest());
  }

  /**
   * Starts the first pending pilot that fits on {@code node} with {@code window} ticks until its
   * next job.
   */
  void tryStart(int node, long window) {
    ArrayDeque<SimPilot> mine = targeted.get(node);
    if (mine != null) {
      for (SimPilot p : mine) {
        long limit = limitIn(p.shape, window);
        if (limit > 0) {
          start(p, node, limit, window);
          return;
        }
      }
    }
    for (SimPilot p : untargeted) {
      long limit = limitIn(p.shape, window);
      if (limit > 0) {
        start(p, node, limit, window);
        return;
      }
    }
  }

  /**
   * The limit in ticks a pilot gets in a window of {@code window} ticks: its time, or the window
   * floored to whole minutes down to its time-min; 0: no fit.
   */
  static long fit(PilotShape shape, long window, TimeBase time) {
    long limit = time.ticks(shape.time());
    if (limit <= window) {
      return limit;
    }
    if (shape.timeMin().isPresent()) {
      long min = time.ticks(shape.timeMin().get());
      if (min <= window) {
        long minute = time.ticks(60);
        return Math.max(min, window / minute * minute);
      }
    }
    return 0;
  }

  private void start(SimPilot pilot, int node, long limit, long window) {
    removePending(pilot);
    pilot.started(node, sim.now, limit);
    jobChanged(pilot);
    sim.occupy(node, pilot);
    counters.started++;
    long warmup = time.ticks(config.warmup());
    if (warmup <= 0 || warmup >= limit) {
      if (warmup <= 0) {
        pilot.ready = true;
        sim.idle.ready++;
      } else {
        sim.idle.warming++;
      }
    } else {
      sim.idle.warming++;
      sim.schedule(sim.now + warmup, Event.PILOT_READY, pilot);
    }
    sim.schedule(sim.now + limit, Event.PILOT_END, pilot);
    if (sim.listening) {
      sim.listener()
          .pilotStarted(
              pilot.id.toString(),
              node,
              sim.now,
              limit,
              warmup < limit ? sim.now + Math.max(0, warmup) : Long.MAX_VALUE,
              window == Long.MAX_VALUE ? Long.MAX_VALUE : sim.now + window);
    }
  }

  void pilotEvent(int kind, SimPilot pilot) {
    if (pilot.state != PilotState.RUNNING) {
      return;
    }
    if (kind == Event.PILOT_READY) {
      pilot.ready = true;
      sim.idle.warming--;
      sim.idle.ready++;
    } else if (kind == Event.PILOT_END) {
      int node = pilot.node;
      stop(pilot, PilotState.TIMED_OUT);
      counters.timedOut++;
      sim.release(node);
    }
  }

  /** A batch job needs the pilot's node: SIGTERM now, gone after the grace time. */
  void preempt(SimPilot pilot) {
    int node = pilot.node;
    stop(pilot, PilotState.PREEMPTED);
    counters.preempted++;
    sim.handOver(node);
  }

  private void stop(SimPilot pilot, PilotState end) {
    if (pilot.ready) {
      sim.idle.ready--;
    } else {
      sim.idle.warming--;
    }
    if (sim.listening) {
      sim.listener()
          .pilotStopping(pilot.id.toString(), pilot.node, sim.now, end == PilotState.PREEMPTED);
    }
    pilot.state = end;
    active.remove(pilot.id);
    pilot.gone = true;
    jobChanged(pilot);
  }

  /** What happened to the pilots of one run. */
  static final class PilotCounters {
    long submitted;
    long started;
    long preempted;
    long timedOut;
    long cancelledPending;
    long cancelledRunning;
    long controllerPasses;
    long controllerPassesSkipped;
    long freedNodesHeld;
    long reservedNodesHeld;
    long shortWindowsEntered;

    Map<String, Object> asMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("pilotsSubmitted", submitted);
      m.put("pilotsStarted", started);
      m.put("pilotsPreempted", preempted);
      m.put("pilotsTimedOut", timedOut);
      m.put("pilotsCancelledPending", cancelledPending);
      m.put("pilotsCancelledRunning", cancelledRunning);
      m.put("controllerPasses", controllerPasses);
      m.put("controllerPassesSkipped", controllerPassesSkipped);
      m.put("freedNodesHeld", freedNodesHeld);
      m.put("reservedNodeChecksHeld", reservedNodesHeld);
      m.put("shortWindowsEntered", shortWindowsEntered);
      return m;
    }
  }
}
