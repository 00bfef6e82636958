package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.time.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * HPC-Whisk's original job manager ("Fib" shapes, SC22).
 *
 * <p><b>Algorithm.</b> For every length on the ladder keep exactly K untargeted pilots pending.
 * Lengths are ranked longest first and the pilot of rank i gets {@code --nice i×100}, so when a gap
 * opens Slurm's backfill tries the longest pilot first and starts the longest one that fits.
 * Pending pilots whose length is not on the ladder (or that are targeted) are cancelled, and so are
 * the newest ones beyond K for a length.
 *
 * <p><b>Example.</b> Default ladder, K=10, empty queue: 90 submissions (10 × 90m with nice 0, …, 10
 * × 2m with nice 800). A 10-minute gap then starts the 8m pilot; on the next pass one 8m pilot is
 * submitted again.
 *
 * <p><b>Known caveats.</b> Blind to windows: it covers a gap with the longest ladder length that
 * fits, losing the rest of the gap (up to the difference between two rungs). Keeps K × ladder
 * pilots pending at all times, which loads the scheduler on large clusters.
 */
final class FibPolicy implements HarvestPolicy {

  private final FibParams params;

  FibPolicy(FibParams params) {
    this.params = params;
  }

  @Override
  public String name() {
    return "fib";
  }

  @Override
  public int maxPending() {
    return params.pendingPerLength() * params.ladder().size();
  }

  @Override
  public List<Intent> decide(ClusterSnapshot snapshot, Fleet fleet) {
    List<Intent> intents = new ArrayList<>();
    HarvestTarget target = snapshot.target();
    List<Duration> longestFirst =
        params.ladder().stream().sorted(Comparator.reverseOrder()).toList();
    Set<Duration> onLadder = new HashSet<>(longestFirst);
    for (Pilot pilot : fleet.pending()) {
      if (pilot.shape().targeted() || !onLadder.contains(pilot.shape().time())) {
        intents.add(
            new Intent.CancelPilot(
                pilot.id(),
                Intent.Cause.OFF_SHAPE,
                "fib: pending pilot of "
                    + Durations.format(pilot.shape().time())
                    + (pilot.shape().targeted() ? " targeted" : "")
                    + " is not on the ladder"));
      }
    }
    // the untargeted pending pilots by length, in fleet (id) order: one pass instead of one per
    // rung
    Map<Duration, List<Pilot>> byLength = new HashMap<>();
    for (Pilot pilot : fleet.pendingUntargeted()) {
      byLength.computeIfAbsent(pilot.shape().time(), k -> new ArrayList<>()).add(pilot);
    }
    for (int rank = 0; rank < longestFirst.size(); rank++) {
      Duration length = longestFirst.get(rank);
      List<Pilot> same = byLength.getOrDefault(length, List.of());
      int have = same.size();
      String label = Durations.format(length);
      if (have > params.pendingPerLength()) {
        for (Pilot extra : same.subList(params.pendingPerLength(), have)) {
          intents.add(
              new Intent.CancelPilot(
                  extra.id(),
                  Intent.Cause.SURPLUS,
                  "fib: " + have + " pending of " + label + ", keep " + params.pendingPerLength()));
        }
      }
      PilotShape shape =
          new PilotShape(
              target.partition(),
              target.qos(),
              length,
              Optional.empty(),
              rank * 100,
              Optional.empty());
      for (int i = have; i < params.pendingPerLength(); i++) {
        intents.add(
            new Intent.SubmitPilot(
                shape,
                "fib: keep "
                    + params.pendingPerLength()
                    + " pending of "
                    + label
                    + " (had "
                    + have
                    + ")"));
      }
    }
    return List.copyOf(intents);
  }
}
