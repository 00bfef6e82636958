package io.hpcwhisk.simulator.batch;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The discrete-event engine of {@code simulate schedule}: whole nodes, a batch queue in priority
 * tiers, EASY or Slurm-style backfilling and (with a {@link PilotHarvester}) pilots in a
 * preemptible partition, in ticks of {@code config.time()} ({@link TimeBase}); the model and its
 * caveats are stated in docs/simulator-guide.md, "The model", and {@code BatchSimulationTest} holds
 * hand-computed schedules.
 */
public final class BatchSimulation {

  static final int FREE = 0;
  static final int BATCH = 1;
  static final int PILOT = 2;
  static final int HANDOVER = 3;
  static final long NONE = Long.MAX_VALUE;

  final SchedulerConfig config;
  final int n;
  final int[] nodeState;
  final SimPilot[] nodePilot;
  final long[] plannedStart;
  final IntSet freeNodes;
  final IntSet pilotNodes;
  final IntSet planned;

  /**
   * Nodes whose state or reservation changed since the harvester's last snapshot (only with a
   * harvester).
   */
  final IntSet touched;

  final TreeMap<Integer, LinkedHashSet<Jobs.Pending>> queue =
      new TreeMap<>(Comparator.reverseOrder());
  final TreeSet<Jobs.Running> running = new TreeSet<>();

  /** Ended jobs whose nodes are still COMPLETING (only with a completing time). */
  final Map<Jobs.Running, Long> completing = new LinkedHashMap<>();

  private final PriorityQueue<Event> events = new PriorityQueue<>();
  final SimulationListener listener;

  /**
   * False when nobody listens (the default listener): the pilot hooks then skip formatting pilot
   * ids.
   */
  final boolean listening;

  private final PilotHarvester harvester;
  final JobStats stats;
  private final SlurmBackfill slurmPlanner;
  final IdleAccount idle;
  long now;
  int queued;
  private long seq;
  private boolean dirty;

  /**
   * Bumped on every change a controller or the backfill could see; equal versions mean an identical
   * state.
   */
  long version;

  /**
   * Bumped on every change of the batch side only (jobs submitted, started, ended, nodes freed):
   * the backfill pass is skipped while it is unchanged, since pilots change neither the jobs nor
   * which nodes a batch job may use (free and pilot nodes alike), so a run with pilots plans at the
   * same instants as its baseline.
   */
  long batchVersion;

  long plannedFingerprint;
  long backfillPassesSkipped;

  /**
   * When a batch job last gave each node back (ticks; {@link #NONE}: never), for the freed-node
   * hold.
   */
  final long[] freedAt;

  /** The start of the last backfill pass (run or skipped as unchanged), for the freed-node hold. */
  long lastBackfillPass = Long.MIN_VALUE;

  private volatile long jobsSeen;
  private long lastEnd;

  /**
   * A run of {@code config}'s cluster, with pilots when {@code harvester} is not null, its starts
   * compared with {@code baselineStarts} (ticks, by ordinal; null: none), the idle counts sampled
   * every {@code sampleInterval} seconds.
   */
  BatchSimulation(
      SchedulerConfig config,
      PilotHarvester harvester,
      long[] baselineStarts,
      long sampleInterval,
      SimulationListener listener) {
    this.config = config;
    this.n = config.nodes();
    this.harvester = harvester;
    this.listener = listener == null ? new SimulationListener() {} : listener;
    this.listening = listener != null;
    nodeState = new int[n];
    nodePilot = new SimPilot[n];
    plannedStart = new long[n];
    Arrays.fill(plannedStart, NONE);
    freedAt = new long[n];
    Arrays.fill(freedAt, NONE);
    freeNodes = new IntSet(n);
    pilotNodes = new IntSet(n);
    planned = new IntSet(n);
    touched = new IntSet(n);
    for (int i = n - 1; i >= 0; i--) {
      freeNodes.add(i);
    }
    stats = new JobStats(baselineStarts, config.graceTime(), config.time());
    slurmPlanner = new SlurmBackfill(this);
    idle = new IdleAccount(config.time().ticks(sampleInterval), config.time());
    if (harvester != null) {
      harvester.attach(this);
    }
  }

  /** Runs the whole trace; returns the time the last batch job ended. */
  long run(Iterator<JobSpec> jobs) {
    JobSpec next = jobs.hasNext() ? jobs.next() : null;
    if (next == null) {
      return 0;
    }
    now = next.submit();
    idle.start(now);
    long nextBackfill = now;
    long nextController = now;
    long lastBackfillVersion = -1;
    while (next != null || queued > 0 || !running.isEmpty()) {
      long t = next != null ? next.submit() : Long.MAX_VALUE;
      if (!events.isEmpty()) {
        t = Math.min(t, events.peek().time);
      }
      boolean pilotsWaiting = harvester != null && harvester.hasPending();
      // backfill passes run on a fixed grid (first submit + k × bf_interval), as Slurm's backfill
      // thread wakes
      // every bf_interval whatever the queue: a run with pilots (whose pending pilots keep the
      // passes going) and
      // its baseline then plan batch jobs at the same instants
      if (nextBackfill < now) {
        long behind = now - nextBackfill;
        nextBackfill +=
            (behind + config.bfInterval() - 1) / config.bfInterval() * config.bfInterval();
      }
      if (config.algorithm() == Algorithm.SLURM && (queued > 0 || pilotsWaiting)) {
        t = Math.min(t, nextBackfill);
      }
      if (harvester != null) {
        t = Math.min(t, Math.max(nextController, now));
      }
      advance(t);
      while (!events.isEmpty() && events.peek().time == t) {
        handle(events.poll());
      }
      while (next != null && next.submit() <= t) {
        submit(next);
        next = jobs.hasNext() ? jobs.next() : null;
      }
      if (harvester != null && t >= nextController) {
        if (harvester.controllerPass(version)) {
          version++;
        }
        nextController = t + harvester.interval();
        dirty = true;
      }
      if (dirty) {
        mainPass();
      }
      if (config.algorithm() == Algorithm.SLURM
          && t == nextBackfill
          && (queued > 0 || pilotsWaiting)) {
        if (batchVersion != lastBackfillVersion) {
          slurmPlanner.pass();
          dirty = true;
        } else {
          backfillPassesSkipped++;
        }
        lastBackfillVersion = batchVersion;
        lastBackfillPass = t;
        if (harvester != null && harvester.holdsFreedNodes()) {
          dirty = true; // a held node may take a pilot now
        }
        nextBackfill += config.bfInterval();
      }
      if (dirty) {
        if (next != null || queued > 0 || !running.isEmpty()) {
          placePilots();
        }
        dirty = false;
      }
    }
    idle.finish(now, this);
    return lastEnd;
  }

  // ---- events ----

  private void submit(JobSpec spec) {
    if (spec.nodes() > n) {
      throw new IllegalArgumentException(
          "job "
              + spec.traceId()
              + " needs "
              + spec.nodes()
              + " nodes but the "
              + "cluster has "
              + n);
    }
    jobsSeen++;
    Jobs.Pending pending = new Jobs.Pending(spec);
    queue.computeIfAbsent(spec.tier(), k -> new LinkedHashSet<>()).add(pending);
    jobChanged(pending);
    queued++;
    version++;
    batchVersion++;
    dirty = true;
  }

  private void handle(Event e) {
    switch (e.kind) {
      case Event.JOB_END -> {
        Jobs.Running r = (Jobs.Running) e.ref;
        running.remove(r);
        batchVersion++;
        r.ended = true;
        jobChanged(r);
        lastEnd = now;
        listener.jobEnded(r.spec, now, r.nodes);
        if (config.completingTime() > 0) {
          completing.put(r, now + config.completingTime());
          schedule(now + config.completingTime(), Event.NODES_FREE, r);
        } else {
          freeNodesOf(r);
        }
      }
      case Event.NODES_FREE -> {
        Jobs.Running r = (Jobs.Running) e.ref;
        completing.remove(r);
        freeNodesOf(r);
      }
      case Event.HANDOVER_DONE -> {
        Jobs.Running r = (Jobs.Running) e.ref;
        for (int node : r.nodes) {
          if (nodeState[node] == HANDOVER) {
            nodeState[node] = BATCH;
            idle.handover--;
          }
        }
        begin(r);
      }
      default -> harvester.pilotEvent(e.kind, (SimPilot) e.ref);
    }
  }

  private void freeNodesOf(Jobs.Running r) {
    for (int node : r.nodes) {
      freedAt[node] = now;
      nodeState[node] = FREE;
      freeNodes.add(node);
      touched.add(node);
    }
    version++;
    batchVersion++;
    dirty = true;
  }

  /**
   * Tells the harvester's snapshot builder that a job appeared, changed its plan, started or ended.
   */
  void jobChanged(Object job) {
    if (harvester != null) {
      harvester.jobChanged(job);
    }
  }

  /** Records a plan for a pending job, telling the harvester when it changed. */
  void plan(Jobs.Pending p, long start, int[] nodes) {
    if (p.plan(start, nodes)) {
      jobChanged(p);
    }
  }

  void schedule(long time, int kind, Object ref) {
    events.add(new Event(time, kind, seq++, ref));
  }

  private void advance(long t) {
    if (t > now) {
      idle.advance(now, t, this);
      now = t;
    }
  }

  // ---- batch scheduling ----

  int usableForBatch() {
    return freeNodes.size() + pilotNodes.size();
  }

  private void mainPass() {
    Jobs.Pending head = null;
    outer:
    for (LinkedHashSet<Jobs.Pending> tier : queue.values()) {
      for (Iterator<Jobs.Pending> it = tier.iterator(); it.hasNext(); ) {
        Jobs.Pending p = it.next();
        if (p.spec.nodes() > usableForBatch()) {
          head = p;
          break outer;
        }
        it.remove();
        start(p);
      }
    }
    if (head != null && config.algorithm() == Algorithm.EASY) {
      easyBackfill(head);
    }
  }

  private void easyBackfill(Jobs.Pending head) {
    int k = head.spec.nodes();
    int cumulative = usableForBatch();
    long shadow = -1;
    for (Jobs.Running r : running) {
      cumulative += r.nodes.length;
      if (cumulative >= k) {
        shadow = Math.max(now, r.plannedEnd);
        break;
      }
    }
    if (shadow < 0) {
      // the missing nodes are still COMPLETING: they are back within the completing time
      shadow = now + config.completingTime();
      cumulative = k;
    }
    int extra = cumulative - k;
    clearPlanned();
    int[] headNodes = pickAvailable(k);
    for (int node : headNodes) {
      plannedStart[node] = shadow;
      planned.add(node);
      touched.add(node);
    }
    plan(head, shadow, headNodes);
    listener.reserved(head.spec, shadow);
    int tested = 0;
    boolean pastHead = false;
    outer:
    for (LinkedHashSet<Jobs.Pending> tier : queue.values()) {
      for (Iterator<Jobs.Pending> it = tier.iterator(); it.hasNext(); ) {
        Jobs.Pending p = it.next();
        if (!pastHead) {
          pastHead = p == head;
          continue;
        }
        if (++tested > config.bfMaxJobTest() || usableForBatch() == 0) {
          break outer;
        }
        int size = p.spec.nodes();
        if (size > usableForBatch()) {
          continue;
        }
        boolean endsBeforeShadow = now + p.spec.requestedTime() <= shadow;
        if (endsBeforeShadow || size <= extra) {
          if (!endsBeforeShadow) {
            extra -= size;
          }
          it.remove();
          start(p);
        }
      }
    }
  }

  /**
   * The nodes usable now that a reservation would take first: free and pilot nodes, up to {@code
   * k}.
   */
  private int[] pickAvailable(int k) {
    int count = Math.min(k, usableForBatch());
    int[] nodes = new int[count];
    int c = 0;
    for (int i = 0; i < freeNodes.size() && c < count; i++) {
      nodes[c++] = freeNodes.get(i);
    }
    for (int i = 0; i < pilotNodes.size() && c < count; i++) {
      nodes[c++] = pilotNodes.get(i);
    }
    return nodes;
  }

  void clearPlanned() {
    while (planned.size() > 0) {
      int node = planned.pop();
      plannedStart[node] = NONE;
      touched.add(node);
    }
  }

  /**
   * Starts a pending job now: reserved nodes first, then free nodes, then nodes whose pilots it
   * preempts.
   */
  void start(Jobs.Pending p) {
    queued--;
    p.started = true;
    jobChanged(p);
    int k = p.spec.nodes();
    int[] nodes = new int[k];
    int c = 0;
    boolean preempted = false;
    if (p.plannedNodes != null) {
      for (int node : p.plannedNodes) {
        if (c < k && (nodeState[node] == FREE || nodeState[node] == PILOT)) {
          preempted |= take(node);
          nodes[c++] = node;
        }
      }
    }
    while (c < k && freeNodes.size() > 0) {
      int node = freeNodes.get(freeNodes.size() - 1);
      take(node);
      nodes[c++] = node;
    }
    while (c < k) {
      int node = pilotNodes.get(pilotNodes.size() - 1);
      preempted |= take(node);
      nodes[c++] = node;
    }
    version++;
    batchVersion++;
    Jobs.Running r =
        new Jobs.Running(p.spec, preempted ? now + config.drainTime() : now, nodes, seq++);
    running.add(r);
    jobChanged(r);
    if (preempted) {
      stats.waitedForPilots(p.spec.ordinal(), config.drainTime());
      schedule(r.start, Event.HANDOVER_DONE, r);
    } else {
      begin(r);
    }
  }

  /** Takes one node for a starting job; true when a pilot had to be preempted. */
  private boolean take(int node) {
    touched.add(node);
    if (plannedStart[node] != NONE) {
      plannedStart[node] = NONE;
      planned.remove(node);
    }
    if (nodeState[node] == FREE) {
      freeNodes.remove(node);
      nodeState[node] = BATCH;
      return false;
    }
    SimPilot pilot = nodePilot[node];
    harvester.preempt(pilot);
    nodeState[node] = HANDOVER;
    idle.handover++;
    return true;
  }

  private void begin(Jobs.Running r) {
    stats.started(r.spec, now);
    listener.jobStarted(r.spec, now, r.nodes);
    schedule(now + r.spec.runTime(), Event.JOB_END, r);
  }

  // ---- pilots ----

  private void placePilots() {
    if (harvester == null || !harvester.hasPending() || freeNodes.size() == 0) {
      return;
    }
    for (int node : freeNodes.toArray()) {
      if (harvester.held(node)) {
        continue;
      }
      long window = plannedStart[node] == NONE ? NONE : plannedStart[node] - now;
      harvester.tryStart(node, window);
      if (!harvester.hasPending()) {
        return;
      }
    }
  }

  /** Puts a pilot on a free node (called by the harvester). */
  void occupy(int node, SimPilot pilot) {
    touched.add(node);
    freeNodes.remove(node);
    nodeState[node] = PILOT;
    nodePilot[node] = pilot;
    pilotNodes.add(node);
    version++;
  }

  /** A pilot left its node on its own (timeout, cancel): the node is free again. */
  void release(int node) {
    touched.add(node);
    pilotNodes.remove(node);
    nodePilot[node] = null;
    nodeState[node] = FREE;
    freeNodes.add(node);
    version++;
    dirty = true;
  }

  /** A preempted pilot got SIGTERM: its node is promised to a batch job. */
  void handOver(int node) {
    pilotNodes.remove(node);
    nodePilot[node] = null;
  }

  SimulationListener listener() {
    return listener;
  }

  long jobsSeen() {
    return jobsSeen;
  }

  static long roundUp(long value, long step) {
    long r = value % step;
    return r == 0 ? value : value + (step - r);
  }
}
