package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Learns how long nodes stay out of batch use ("gaps") from a sequence of snapshots.
 *
 * <p><b>Algorithm.</b> A node's gap opens at the first snapshot where it is harvestable or held by one of our
 * pilots, and closes at the first snapshot where it runs something else (a batch job); the gap's length is then
 * remembered. A node that becomes reserved, drained or down forgets its open gap without recording it. The
 * last {@code history} gaps are kept; {@link #quantile(double)} answers from them.
 *
 * <p><b>Example.</b> n1 idle at t=0, t=5, t=10 s, allocated to a batch job at t=15 s: one gap of 15 s.
 *
 * <p><b>Known caveats.</b> Gaps are seen at the snapshot interval's resolution, and a node already idle at the
 * first snapshot yields a gap measured from then (an under-estimate). Only finished gaps count, so very long
 * gaps show up late.
 */
public final class GapLengthEstimator {

  private final int history;
  private final Map<String, Instant> openSince = new HashMap<>();
  private final Deque<Duration> gaps = new ArrayDeque<>();

  public GapLengthEstimator(int history) {
    if (history < 1) {
      throw new IllegalArgumentException("history must be at least 1, got " + history);
    }
    this.history = history;
  }

  /** Updates the open and finished gaps from one snapshot. */
  public void observe(ClusterSnapshot snapshot, Fleet fleet) {
    Instant now = snapshot.now();
    for (Node node : snapshot.nodes()) {
      boolean open = node.state().harvestable() || fleet.runningOn(node.name()).isPresent();
      Instant since = openSince.get(node.name());
      if (open) {
        openSince.putIfAbsent(node.name(), now);
      } else if (since != null) {
        openSince.remove(node.name());
        if (node.state() == NodeState.ALLOCATED || node.state() == NodeState.MIXED) {
          record(Duration.between(since, now));
        }
      }
    }
  }

  /** Remembers one finished gap. */
  public void record(Duration gap) {
    if (gap.isNegative()) {
      throw new IllegalArgumentException("gap must not be negative, got " + gap);
    }
    gaps.addLast(gap);
    while (gaps.size() > history) {
      gaps.removeFirst();
    }
  }

  /** The q-quantile (nearest rank) of the remembered gaps, or empty before any gap finished. */
  public Optional<Duration> quantile(double q) {
    if (gaps.isEmpty()) {
      return Optional.empty();
    }
    Duration[] sorted = gaps.toArray(Duration[]::new);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.length) - 1;
    return Optional.of(sorted[Math.max(0, Math.min(sorted.length - 1, rank))]);
  }

  public int size() {
    return gaps.size();
  }
}
