package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeChanges;
import io.hpcwhisk.core.cluster.NodeState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * Learns how long nodes stay out of batch use ("gaps") from a sequence of snapshots, with a
 * Kaplan-Meier estimate that counts gaps it has not seen end.
 *
 * <p><b>Algorithm.</b> A node's gap opens at the first snapshot where it is harvestable or held by
 * one of our pilots, and closes at the first snapshot where it is not. A gap that a batch job
 * closed (ALLOCATED/MIXED) is an <i>event</i> of its length. Every other gap is
 * <i>right-censored</i> — only a lower bound of its length is known: a gap already open at the
 * first snapshot (its start is unknown), a gap closed by a drain or a reservation, and every gap
 * still open (counted at its current age). The last {@code history} finished gaps are kept; {@link
 * #distribution()} merges them with the open ones into the Kaplan-Meier survival function S(t) =
 * Π<sub>tᵢ ≤ t</sub> (1 − dᵢ/nᵢ) (dᵢ events at tᵢ, nᵢ gaps at least tᵢ long; events before
 * censorings at equal times). Beyond the longest observation S stays flat. Finished gaps are held
 * sorted in a multiset and open gaps by start time, so building the distribution is a merge in
 * O(history + open gaps), without sorting; it is cached until a gap opens, closes or the clock
 * moves.
 *
 * <p><b>Example.</b> n1 idle at t=0 (the first snapshot), allocated at t=15 s: a censored 15 s gap
 * (it may have been idle for days). n1 idle again at t=30, t=35, allocated at t=45 s: an event of
 * 15 s. With n2 idle since t=0 and still open at t=45: S(15 s) = 1 − 1/3 (three gaps at least 15 s
 * long, one ended there).
 *
 * <p><b>Known caveats.</b> Gaps are seen at the snapshot interval's resolution. The estimate treats
 * all nodes and all times alike (no time-of-day or per-node effects), and a node's gap is measured
 * on the harvest partition's view only.
 */
public final class GapLengthEstimator {

  private record Open(Instant since, boolean truncated) {}

  private record Finished(long seconds, boolean event) {}

  private final int history;

  /**
   * Open gaps by node name, brought up to date only when the snapshots' node list changes (see
   * {@link #index}).
   */
  private final Map<String, Open> open = new HashMap<>();

  private int openCount;

  /**
   * The last snapshot's node names and their open gaps by position, so that a pass needs no lookup
   * by name.
   */
  private String[] names = new String[0];

  /**
   * The open gap at each position as primitives (no object to follow when it closes): its start's
   * epoch second and nanosecond ({@code NONE} when the position has no open gap) and whether its
   * start is unknown.
   */
  private long[] openSecond = new long[0];

  private int[] openNano = new int[0];
  private boolean[] openTruncated = new boolean[0];
  private static final int NONE = -1;
  private Map<String, Integer> position = new HashMap<>();

  /**
   * For {@link #observe(ClusterSnapshot, Fleet)}: the previous fleet's running pilots and running
   * pilots by position.
   */
  private List<Pilot> lastRunning;

  private int[] pilotsAt = new int[0];

  /** Positions whose running-pilot count changed in this pass (fleet path). */
  private final BitSet pilotChanged = new BitSet();

  /**
   * The last snapshot's nodes. {@link Node} is immutable, so a node that is the same object as last
   * time has the same name and state (a snapshot maker that keeps a busy node's {@code Node} while
   * its state holds, as the simulator's does, lets a pass skip it without reading it). A snapshot
   * whose {@link ClusterSnapshot#stateChanges} are since this list says which positions to visit.
   */
  private List<Node> lastNodes;

  private Instant first;

  /**
   * Gaps opened per snapshot (after the first), the last {@code history} of them, and a sliding
   * maximum.
   */
  private final Deque<Integer> openedPerPass = new ArrayDeque<>();

  private final Deque<Integer> openedMax = new ArrayDeque<>();

  /** Start second of every open gap -> how many gaps opened then. */
  private final SecondCounts openStarts = new SecondCounts();

  private final Deque<Finished> finished = new ArrayDeque<>();

  /** Length in seconds -> {events, censored} of the finished gaps kept. */
  private final TreeMap<Long, int[]> finishedSorted = new TreeMap<>();

  private long events;
  private Instant now = Instant.EPOCH;
  private GapDistribution cached;

  public GapLengthEstimator(int history) {
    if (history < 1) {
      throw new IllegalArgumentException("history must be at least 1, got " + history);
    }
    this.history = history;
  }

  /**
   * Updates the open and finished gaps from one snapshot and the fleet's running pilots; the same
   * as {@link #observe(ClusterSnapshot, Set)} with the running pilots' nodes, but it keeps the
   * count of running pilots per node position between calls and updates it from the difference
   * between the previous and this fleet's running pilots (both sorted by id; unchanged pilots are
   * the same objects or on the same node), so that a pass looks up only the nodes of pilots that
   * started or ended.
   */
  public void observe(ClusterSnapshot snapshot, Fleet fleet) {
    List<Pilot> running = fleet.running();
    // the next snapshot of the same maker: same names, and it says which nodes changed state
    int[] stateChanges =
        lastNodes == null
            ? null
            : snapshot
                .stateChanges()
                .filter(c -> c.since(lastNodes))
                .map(NodeChanges::positions)
                .orElse(null);
    boolean rebuilt = stateChanges == null && index(snapshot.nodes());
    boolean incremental = !rebuilt && lastRunning != null;
    if (!incremental) {
      pilotsAt = new int[names.length];
      for (Pilot pilot : running) {
        count(pilot, 1);
      }
    } else {
      int i = 0;
      int j = 0;
      while (i < lastRunning.size() || j < running.size()) {
        Pilot before = i < lastRunning.size() ? lastRunning.get(i) : null;
        Pilot now = j < running.size() ? running.get(j) : null;
        if (before
            == now) { // the same record: the same pilot on the same node (most of them, pass after
          // pass)
          i++;
          j++;
          continue;
        }
        int c = before == null ? 1 : now == null ? -1 : before.id().compareTo(now.id());
        if (c < 0) {
          count(before, -1);
          i++;
        } else if (c > 0) {
          count(now, 1);
          j++;
        } else {
          if (!before.node().equals(now.node())) {
            count(before, -1);
            count(now, 1);
          }
          i++;
          j++;
        }
      }
    }
    lastRunning = running;
    update(snapshot, k -> pilotsAt[k] > 0, incremental, stateChanges);
    pilotChanged.clear();
  }

  private void count(Pilot pilot, int delta) {
    if (pilot.node().isPresent()) {
      Integer at = position.get(pilot.node().get());
      if (at != null) {
        pilotsAt[at] += delta;
        pilotChanged.set(at);
      }
    }
  }

  /**
   * Updates the open and finished gaps from one snapshot; {@code pilotNodes} are the nodes our
   * pilots run on.
   */
  public void observe(ClusterSnapshot snapshot, Set<String> pilotNodes) {
    lastRunning = null; // the per-position pilot counts are no longer kept up to date
    index(snapshot.nodes());
    update(snapshot, k -> pilotNodes.contains(names[k]), false, null);
  }

  /**
   * One snapshot, the node list already indexed; {@code pilotAt} tells whether a pilot runs at a
   * position. When {@code incremental}, {@code pilotAt} differs from the last pass only at the
   * {@link #pilotChanged} positions, so only those and the positions whose node changed state
   * ({@code stateChanges}, when known, else those whose node is not the same object as last time)
   * are visited, in ascending order: every other gap stays as it was.
   */
  private void update(
      ClusterSnapshot snapshot, IntPredicate pilotAt, boolean incremental, int[] stateChanges) {
    Instant at = snapshot.now();
    if (first == null) {
      first = at;
    }
    if (!at.equals(now)) {
      now = at;
      cached = null;
    }
    int opened = 0;
    List<Node> nodes = snapshot.nodes();
    if (incremental && stateChanges != null) {
      BitSet visit = (BitSet) pilotChanged.clone();
      for (int i : stateChanges) {
        visit.set(i);
      }
      for (int i = visit.nextSetBit(0); i >= 0; i = visit.nextSetBit(i + 1)) {
        opened += visit(i, nodes.get(i), pilotAt, at);
      }
    } else {
      List<Node> last = incremental ? lastNodes : null;
      for (int i = 0; i < openNano.length; i++) {
        Node node = nodes.get(i);
        if (last == null || node != last.get(i) || pilotChanged.get(i)) {
          opened += visit(i, node, pilotAt, at);
        }
      }
    }
    lastNodes = nodes;
    if (opened > 0) {
      openStarts.add(
          at.getEpochSecond(), opened); // all of this pass's gaps opened now: one addition
    }
    if (!at.equals(first)) {
      openedPerPass.addLast(opened);
      while (!openedMax.isEmpty() && openedMax.peekLast() < opened) {
        openedMax.removeLast();
      }
      openedMax.addLast(opened);
      if (openedPerPass.size() > history) {
        int gone = openedPerPass.removeFirst();
        if (openedMax.peekFirst() == gone) {
          openedMax.removeFirst();
        }
      }
    }
  }

  /**
   * Opens or closes the gap at one position from its node's state and pilots; 1 when a gap opened.
   */
  private int visit(int i, Node node, IntPredicate pilotAt, Instant at) {
    boolean isOpen = node.state().harvestable() || pilotAt.test(i);
    boolean wasOpen = openNano[i] != NONE;
    if (isOpen && !wasOpen) {
      setOpen(i, new Open(at, at.equals(first)));
      openCount++;
      cached = null;
      return 1;
    }
    if (!isOpen && wasOpen) {
      long since = openSecond[i];
      Duration length = Duration.ofSeconds(at.getEpochSecond() - since, at.getNano() - openNano[i]);
      boolean truncated = openTruncated[i];
      setOpen(i, null);
      openCount--;
      openStarts.removeOne(since);
      boolean batch = node.state() == NodeState.ALLOCATED || node.state() == NodeState.MIXED;
      add(length, batch && !truncated);
    }
    return 0;
  }

  /**
   * Lines the by-position arrays up with the snapshot's nodes (a no-op while the node list keeps
   * its names); true when they were rebuilt.
   */
  private boolean index(List<Node> nodes) {
    boolean same = nodes.size() == names.length;
    List<Node> last = lastNodes != null && lastNodes.size() == names.length ? lastNodes : null;
    for (int i = 0; same && i < names.length; i++) {
      Node node = nodes.get(i);
      if (node != (last == null ? null : last.get(i))) {
        String name = node.name();
        same = name == names[i] || name.equals(names[i]);
      }
    }
    if (!same) {
      // keep the open gaps by name while the list changes (a node that leaves and comes back keeps
      // its gap)
      for (int i = 0; i < names.length; i++) {
        if (openNano[i] != NONE) {
          open.put(
              names[i],
              new Open(Instant.ofEpochSecond(openSecond[i], openNano[i]), openTruncated[i]));
        } else {
          open.remove(names[i]);
        }
      }
      names = new String[nodes.size()];
      openSecond = new long[nodes.size()];
      openNano = new int[nodes.size()];
      openTruncated = new boolean[nodes.size()];
      position = new HashMap<>();
      for (int i = 0; i < names.length; i++) {
        names[i] = nodes.get(i).name();
        setOpen(i, open.get(names[i]));
        position.putIfAbsent(names[i], i);
      }
    }
    return !same;
  }

  /** Sets the open gap at a position; null: none. */
  private void setOpen(int i, Open gap) {
    openSecond[i] = gap == null ? 0 : gap.since().getEpochSecond();
    openNano[i] = gap == null ? NONE : gap.since().getNano();
    openTruncated[i] = gap != null && gap.truncated();
  }

  /** Remembers one gap that a batch job ended. */
  public void record(Duration gap) {
    add(gap, true);
  }

  /** Remembers one gap of which only a lower bound of the length is known. */
  public void recordCensored(Duration atLeast) {
    add(atLeast, false);
  }

  private void add(Duration gap, boolean event) {
    if (gap.isNegative()) {
      throw new IllegalArgumentException("gap must not be negative, got " + gap);
    }
    Finished f = new Finished(gap.getSeconds(), event);
    finished.addLast(f);
    count(f, 1);
    while (finished.size() > history) {
      count(finished.removeFirst(), -1);
    }
    cached = null;
  }

  private void count(Finished f, int delta) {
    int[] c = finishedSorted.computeIfAbsent(f.seconds(), k -> new int[2]);
    c[f.event() ? 0 : 1] += delta;
    events += f.event() ? delta : 0;
    if (c[0] == 0 && c[1] == 0) {
      finishedSorted.remove(f.seconds());
    }
  }

  /**
   * The Kaplan-Meier estimate of the gap length from the kept finished gaps and the open ones at
   * their age.
   */
  public GapDistribution distribution() {
    if (cached == null) {
      cached = build();
    }
    return cached;
  }

  private GapDistribution build() {
    int size = finishedSorted.size() + openStarts.distinctUpperBound();
    long[] times = new long[size];
    int[] died = new int[size];
    int[] censored = new int[size];
    int k = 0;
    var fin = finishedSorted.entrySet().iterator();
    // Latest start first = youngest open gap first = ascending age.
    int o = nextOpen(openStarts.distinctUpperBound() - 1);
    Map.Entry<Long, int[]> f = fin.hasNext() ? fin.next() : null;
    long nowSecond = now.getEpochSecond();
    while (f != null || o >= 0) {
      long ft = f == null ? Long.MAX_VALUE : f.getKey();
      long ot = o < 0 ? Long.MAX_VALUE : Math.max(0, nowSecond - openStarts.second(o));
      long t = Math.min(ft, ot);
      if (k > 0 && times[k - 1] == t) {
        k--;
      } else {
        times[k] = t;
      }
      if (ft == t) {
        died[k] += f.getValue()[0];
        censored[k] += f.getValue()[1];
        f = fin.hasNext() ? fin.next() : null;
      } else {
        censored[k] += openStarts.count(o);
        o = nextOpen(o - 1);
      }
      k++;
    }
    return GapDistribution.kaplanMeier(times, died, censored, k);
  }

  /** The position of the latest open-gap start at or before {@code position}; −1 when none. */
  private int nextOpen(int position) {
    while (position >= 0 && openStarts.count(position) == 0) {
      position--;
    }
    return position;
  }

  /**
   * The q-quantile of the gap length: the shortest observed length t with S(t) ≤ 1 − q; empty
   * before any gap ended, or when too many gaps are still open (or censored) to say.
   */
  public Optional<Duration> quantile(double q) {
    return distribution().quantile(q);
  }

  /** Finished gaps kept (events and censored). */
  public int size() {
    return finished.size();
  }

  /** Finished gaps kept that a batch job ended. */
  public long events() {
    return events;
  }

  /**
   * The most gaps that opened between two snapshots, over the last {@code history} snapshots (the
   * first snapshot not counted): how many nodes a batch job's end may hand over at once.
   */
  public int largestBurst() {
    return openedMax.isEmpty() ? 0 : openedMax.peekFirst();
  }

  /** Gaps open now. */
  public int openGaps() {
    return openCount;
  }
}
