package io.hpcwhisk.simulator.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Slurm's backfill pass over the model (see {@link BatchSimulation} for the algorithm): an
 * availability {@link Profile} from the running jobs' planned ends (and COMPLETING nodes), the
 * first {@code bf_max_job_test} pending jobs planned at their earliest start within {@code
 * bf_window} at {@code bf_resolution}, jobs whose start is now started, the others reserved, and
 * the reserved nodes picked by a sweep in start order.
 */
final class SlurmBackfill {

  private final BatchSimulation sim;
  private final Profile profile = new Profile();
  private final int[] pool;
  private final NodeReturns returning;

  SlurmBackfill(BatchSimulation sim) {
    this.sim = sim;
    this.pool = new int[sim.n];
    this.returning = new NodeReturns(sim.n);
  }

  /** One backfill pass at the simulation's current time. */
  void pass() {
    if (sim.queued == 0 && sim.planned.size() == 0 && sim.plannedFingerprint == 0) {
      return; // nothing to plan and nothing planned: the pass would change nothing (runs with
      // pilots get many)
    }
    long res = sim.config.bfResolution();
    profile.reset(sim.now, sim.usableForBatch());
    for (Jobs.Running r : sim.running) {
      profile.release(
          Math.max(sim.now, BatchSimulation.roundUp(r.plannedEnd, res)), r.nodes.length);
    }
    for (Map.Entry<Jobs.Running, Long> c : sim.completing.entrySet()) {
      profile.releaseAnyOrder(BatchSimulation.roundUp(c.getValue(), res), c.getKey().nodes.length);
    }
    sim.clearPlanned();
    List<Jobs.Pending> reserved = new ArrayList<>();
    int tested = 0;
    long horizon = sim.now + sim.config.bfWindow();
    outer:
    for (LinkedHashSet<Jobs.Pending> tier : sim.queue.values()) {
      for (Iterator<Jobs.Pending> it = tier.iterator(); it.hasNext(); ) {
        Jobs.Pending p = it.next();
        if (++tested > sim.config.bfMaxJobTest()) {
          break outer;
        }
        long duration = BatchSimulation.roundUp(Math.max(1, p.spec.requestedTime()), res);
        long at = profile.earliest(p.spec.nodes(), duration, horizon);
        if (at < 0) {
          sim.plan(p, -1, null);
          continue;
        }
        profile.reserve(at, duration, p.spec.nodes());
        if (at == sim.now && p.spec.nodes() <= sim.usableForBatch()) {
          it.remove();
          sim.start(p);
        } else {
          p.passStart = at;
          reserved.add(p);
          sim.listener.reserved(p.spec, at);
        }
      }
    }
    assignReservedNodes(reserved, res);
    long fingerprint = sim.planned.size();
    for (int i = 0; i < sim.planned.size(); i++) {
      int node = sim.planned.get(i);
      fingerprint = fingerprint * 1_000_003 + node * 31L + sim.plannedStart[node];
    }
    if (fingerprint != sim.plannedFingerprint) {
      sim.plannedFingerprint = fingerprint;
      sim.version++;
    }
  }

  /**
   * Picks nodes for the reservations by a sweep in start order: a node is usable by a reservation
   * once the job holding it is sim.planned to end (or at once when it is free or holds a pilot) and
   * no earlier reservation holds it. Only the nodes usable now are kept on the reservation (they
   * are the ones that become PLANNED).
   */
  private void assignReservedNodes(List<Jobs.Pending> reserved, long res) {
    if (reserved.isEmpty()) {
      return;
    }
    reserved.sort(Comparator.comparingLong(p -> p.passStart));
    // a stack of nodes (last pushed, first taken); each node is in it at most once
    int poolSize = 0;
    for (int i = 0; i < sim.freeNodes.size(); i++) {
      pool[poolSize++] = sim.freeNodes.get(i);
    }
    for (int i = 0; i < sim.pilotNodes.size(); i++) {
      pool[poolSize++] = sim.pilotNodes.get(i);
    }
    Iterator<Jobs.Running> releases = sim.running.iterator();
    Jobs.Running nextRelease = releases.hasNext() ? releases.next() : null;
    returning.clear();
    for (Jobs.Pending p : reserved) {
      long t = p.passStart;
      while (nextRelease != null
          && Math.max(sim.now, BatchSimulation.roundUp(nextRelease.plannedEnd, res)) <= t) {
        for (int node : nextRelease.nodes) {
          pool[poolSize++] = node;
        }
        nextRelease = releases.hasNext() ? releases.next() : null;
      }
      while (!returning.isEmpty() && returning.peekTime() <= t) {
        pool[poolSize++] = returning.pollNode();
      }
      int k = p.spec.nodes();
      int[] usable = new int[k];
      int usableNow = 0;
      long end = t + BatchSimulation.roundUp(Math.max(1, p.spec.requestedTime()), res);
      for (int i = 0; i < k && poolSize > 0; i++) {
        int node = pool[--poolSize];
        returning.add(end, node);
        if (sim.nodeState[node] == BatchSimulation.FREE
            || sim.nodeState[node] == BatchSimulation.PILOT) {
          usable[usableNow++] = node;
          if (sim.plannedStart[node] > t) {
            sim.plannedStart[node] = t;
            sim.planned.add(node);
            sim.touched.add(node);
          }
        }
      }
      sim.plan(p, t, Arrays.copyOf(usable, usableNow));
    }
  }

  /**
   * The nodes that reservations hold, by the time they are given back: a binary min-heap of (time,
   * node) in two primitive arrays, with {@link java.util.PriorityQueue}'s sift rules, so that nodes
   * given back at the same time come out in the order a {@code PriorityQueue} ordered by time gives
   * them (the sweep's choices, and so every schedule, stay as they were), without an object per
   * entry. Each node is in it at most once, so it holds at most n entries.
   */
  static final class NodeReturns {
    private final long[] times;
    private final int[] nodes;
    private int size;

    NodeReturns(int capacity) {
      times = new long[capacity];
      nodes = new int[capacity];
    }

    void clear() {
      size = 0;
    }

    boolean isEmpty() {
      return size == 0;
    }

    long peekTime() {
      return times[0];
    }

    void add(long time, int node) {
      int k = size++;
      while (k > 0) {
        int parent = (k - 1) >>> 1;
        if (time >= times[parent]) {
          break;
        }
        times[k] = times[parent];
        nodes[k] = nodes[parent];
        k = parent;
      }
      times[k] = time;
      nodes[k] = node;
    }

    int pollNode() {
      int result = nodes[0];
      int n = --size;
      if (n > 0) {
        long time = times[n];
        int node = nodes[n];
        int k = 0;
        int half = n >>> 1;
        while (k < half) {
          int child = 2 * k + 1;
          int right = child + 1;
          if (right < n && times[child] > times[right]) {
            child = right;
          }
          if (time <= times[child]) {
            break;
          }
          times[k] = times[child];
          nodes[k] = nodes[child];
          k = child;
        }
        times[k] = time;
        nodes[k] = node;
      }
      return result;
    }
  }
}
