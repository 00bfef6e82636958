package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.Window;
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
 * Fits pilots to the windows Slurm already knows about, and keeps only a small pool for the rest.
 *
 * <p><b>Algorithm.</b> Each pass, after feeding the snapshot to a {@link GapLengthEstimator}:
 *
 * <ol>
 *   <li><i>Prune.</i> Cancel pending targeted pilots whose node is gone, no longer harvestable,
 *       already holds a running pilot, already has an older pending pilot, or whose window shrank
 *       below the pilot's {@code --time-min} (so none is left pending forever).
 *   <li><i>Target.</i> For every harvestable node with a bounded window (PLANNED), without a
 *       running or pending pilot: usable = window − margin, rounded down to whole minutes, at most
 *       {@code max-pilot}; if usable ≥ {@code min-pilot}, submit a pilot with {@code --nodelist
 *       node --time usable --time-min usable --nice 0}: Slurm 22.05 starts a job that has a lower
 *       time-min at that time-min even when its whole time fits, and the margin covers the start
 *       latency (≈ 1 s with {@code bf_interval=1}); if the window shrinks below the pilot before it
 *       starts, the prune step replaces it. Longest windows first.
 *   <li><i>Pool.</i> Keep {@code pool + ⌈pool-share × B⌉ + (unbounded idle nodes without a pilot)}
 *       untargeted pilots pending, B the most nodes that became harvestable between two passes
 *       lately (so the spare ones start at once on the nodes a batch job leaves). Their length is
 *       what {@link PoolLength} chooses from the censoring-aware gap estimate of {@link
 *       GapLengthEstimator} (the best expected ready share given warm-up and preemption cost;
 *       max-pilot until a gap was seen); {@code --nice pool-nice} and <i>no</i> {@code --time-min}:
 *       Slurm shortens a job straight to its time-min, so a pool pilot with one would grab a
 *       planned window for min-pilot only, ahead of the targeted pilot that fits it; without one,
 *       pool pilots only start where they fit whole (unbounded idle nodes). Extra pool pilots are
 *       cancelled, newest first.
 *   <li><i>Bound.</i> Pending pilots after the pass never exceed {@code max-pending}: submissions
 *       are trimmed (pool first, then the shortest windows), and if the kept pilots alone exceed it
 *       the newest pool pilots then the newest targeted ones are cancelled.
 *   <li><i>Ladder.</i> Keep {@code ladder-copies} untargeted pilots pending of every length
 *       min-pilot, 2 × min-pilot, … {@code ladder-max}, without time-min, nice above the pool's
 *       (longest first). When a batch job ends and Slurm plans the freed node for a wider job, its
 *       next backfill pass starts the longest ladder pilot that fits the new window at once,
 *       instead of one reconcile interval, an sbatch and another pass later; the pass after that
 *       replaces it. The bound trims ladder pilots first.
 * </ol>
 *
 * <p><b>Example.</b> n3 and n4 PLANNED with 5m40s windows, n1 idle and unbounded, no gaps seen yet,
 * pool=2: first pass: two targeted 5m pilots (window 5m40s − 5s → 5m, time-min 5m) on n3 and n4, 2
 * + 0 + 1 = three 2h pool pilots (nice 100), one of which starts at once on n1, and with ladder-max
 * 3m two pilots each of 3m, 2m, 1m (nice 101, 102, 103).
 *
 * <p><b>Known caveats.</b> A window only exists once Slurm's backfill pass planned the pending job;
 * the pilot for it starts one reconcile interval plus one scheduler pass later (the ladder covers
 * the short windows in the meantime; a longer window holds a ladder pilot first and a targeted one
 * for the rest, one start latency apart). Ladder pilots are recognised by their shape (untargeted,
 * no time-min, nice above pool-nice, at most ladder-max). Pool pilots on unbounded nodes are
 * preempted when batch work arrives (the batch job waits at most the grace time). The per-decision
 * cost is O(nodes + pilots + history).
 */
final class AdaptivePolicy implements HarvestPolicy {

  private final AdaptiveParams params;
  private final GapLengthEstimator gaps;

  /**
   * {@code params.ladder()} and its text, made once (a pass asks for them for every ladder pilot).
   */
  private final List<Duration> ladder;

  private final String ladderText;
  private GapDistribution lastDistribution;
  private PoolLength.Choice lastChoice;

  AdaptivePolicy(AdaptiveParams params) {
    this.params = params;
    this.gaps = new GapLengthEstimator(params.history());
    this.ladder = params.ladder();
    this.ladderText =
        ladder.stream().map(Durations::format).reduce((a, b) -> a + ", " + b).orElse("off");
  }

  @Override
  public String name() {
    return "adaptive";
  }

  @Override
  public int maxPending() {
    return params.maxPending();
  }

  @Override
  public Duration maxPilot() {
    return params.maxPilot();
  }

  @Override
  public List<Intent> decide(ClusterSnapshot snapshot, Fleet fleet) {
    gaps.observe(snapshot, fleet); // the running pilots' nodes, updated from the fleet's changes
    List<Intent.CancelPilot> cancels = new ArrayList<>();
    Set<String> coveredTargets = new HashSet<>();
    List<Pilot> keptTargeted = new ArrayList<>();
    for (Pilot pilot : fleet.pending()) {
      if (pilot.shape().targeted()) {
        Optional<String> stale = staleReason(pilot, snapshot, fleet, coveredTargets);
        if (stale.isPresent()) {
          cancels.add(
              new Intent.CancelPilot(
                  pilot.id(), Intent.Cause.WINDOW_GONE, "adaptive: " + stale.get()));
        } else {
          coveredTargets.add(pilot.shape().targetNode().get());
          keptTargeted.add(pilot);
        }
      }
    }

    HarvestTarget target = snapshot.target();
    List<Intent.SubmitPilot> targeted = new ArrayList<>();
    List<Node> bounded =
        snapshot.harvestableNodes().stream()
            .filter(n -> n.window().get().bounded())
            .sorted(
                Comparator.comparing((Node n) -> n.window().get().end().get())
                    .reversed()
                    .thenComparing(Node::name))
            .toList();
    for (Node node : bounded) {
      if (coveredTargets.contains(node.name()) || fleet.runningOn(node.name()).isPresent()) {
        continue;
      }
      Window window = node.window().get();
      Duration length = window.length().get().withNanos(0);
      Duration usable = Durations.floorToMinutes(length.minus(params.windowMargin()));
      if (usable.compareTo(params.maxPilot()) > 0) {
        usable = Durations.floorToMinutes(params.maxPilot());
      }
      if (usable.compareTo(params.minPilot()) < 0) {
        continue;
      }
      // time-min = time: Slurm 22.05 starts a job with a lower --time-min at its time-min even when
      // the whole
      // time fits (verified on the local cluster); the window margin already covers the start
      // latency.
      PilotShape shape =
          new PilotShape(
              target.partition(),
              target.qos(),
              usable,
              Optional.of(usable),
              0,
              Optional.of(node.name()));
      targeted.add(
          new Intent.SubmitPilot(
              shape,
              "adaptive: "
                  + node.name()
                  + " is "
                  + node.state()
                  + " with a "
                  + Durations.format(length)
                  + " window; targeted pilot of "
                  + Durations.format(usable)));
    }

    long uncoveredUnbounded =
        snapshot.harvestableNodes().stream()
            .filter(n -> !n.window().get().bounded())
            .filter(n -> !coveredTargets.contains(n.name()) && fleet.runningOn(n.name()).isEmpty())
            .count();
    // Spare pilots for the nodes a batch job's end hands over between two passes: the largest
    // recent burst.
    long spare = params.pool() + (long) Math.ceil(params.poolShare() * gaps.largestBurst());
    int wantPool = (int) Math.min(Integer.MAX_VALUE, spare + uncoveredUnbounded);
    List<Pilot> pool =
        new ArrayList<>(fleet.pendingUntargeted().stream().filter(p -> !isLadder(p)).toList());
    for (int i = pool.size() - 1; i >= wantPool; i--) {
      cancels.add(
          new Intent.CancelPilot(
              pool.get(i).id(),
              Intent.Cause.SURPLUS,
              "adaptive: "
                  + pool.size()
                  + " pool pilots pending, "
                  + uncoveredUnbounded
                  + " unbounded idle node(s) and "
                  + spare
                  + " spare need "
                  + wantPool));
      pool.remove(i);
    }
    List<Intent.SubmitPilot> poolSubmits = new ArrayList<>();
    if (pool.size() < wantPool) {
      PoolLength.Choice choice = poolLength();
      PilotShape poolShape =
          new PilotShape(
              target.partition(),
              target.qos(),
              choice.length(),
              Optional.empty(),
              params.poolNice(),
              Optional.empty());
      String reason =
          "adaptive: pool of "
              + wantPool
              + " = "
              + spare
              + " spare + "
              + uncoveredUnbounded
              + " unbounded idle node(s) (had "
              + pool.size()
              + "); length "
              + Durations.format(choice.length())
              + " = "
              + choice.reason();
      for (int i = pool.size(); i < wantPool; i++) {
        poolSubmits.add(new Intent.SubmitPilot(poolShape, reason));
      }
    }

    // Ladder: short pilots pending for the windows Slurm opens before the next pass sees them.
    List<Pilot> ladder = new ArrayList<>();
    List<Intent.SubmitPilot> ladderSubmits = ladder(fleet, target, cancels, ladder);

    // Bound: kept pending + submissions <= maxPending.
    int kept = keptTargeted.size() + pool.size() + ladder.size();
    int room = params.maxPending() - kept;
    for (int i = ladder.size() - 1; room < 0 && i >= 0; i--, room++) {
      cancels.add(
          new Intent.CancelPilot(
              ladder.get(i).id(),
              Intent.Cause.OVER_BOUND,
              "adaptive: "
                  + kept
                  + " pending exceed max-pending "
                  + params.maxPending()
                  + " (ladder pilots go first)"));
    }
    for (int i = pool.size() - 1; room < 0 && i >= 0; i--, room++) {
      cancels.add(
          new Intent.CancelPilot(
              pool.get(i).id(),
              Intent.Cause.OVER_BOUND,
              "adaptive: " + kept + " pending exceed max-pending " + params.maxPending()));
    }
    List<Pilot> newestTargetedFirst =
        keptTargeted.stream().sorted(Comparator.comparing(Pilot::id).reversed()).toList();
    for (int i = 0; room < 0 && i < newestTargetedFirst.size(); i++, room++) {
      cancels.add(
          new Intent.CancelPilot(
              newestTargetedFirst.get(i).id(),
              Intent.Cause.OVER_BOUND,
              "adaptive: " + kept + " pending exceed max-pending " + params.maxPending()));
    }
    List<Intent> intents = new ArrayList<>(cancels);
    int budget = Math.max(0, room);
    intents.addAll(targeted.subList(0, Math.min(budget, targeted.size())));
    budget -= Math.min(budget, targeted.size());
    intents.addAll(poolSubmits.subList(0, Math.min(budget, poolSubmits.size())));
    budget -= Math.min(budget, poolSubmits.size());
    intents.addAll(ladderSubmits.subList(0, Math.min(budget, ladderSubmits.size())));
    return List.copyOf(intents);
  }

  /**
   * Keeps {@code ladder-copies} pending pilots of every ladder length, cancelling those of lengths
   * no longer on the ladder or beyond the copies (newest first); {@code kept} receives the ones
   * left pending.
   */
  private List<Intent.SubmitPilot> ladder(
      Fleet fleet, HarvestTarget target, List<Intent.CancelPilot> cancels, List<Pilot> kept) {
    Map<Duration, Integer> have = new HashMap<>();
    List<Duration> lengths = ladder;
    for (Pilot pilot : fleet.pendingUntargeted()) {
      if (!isLadder(pilot)) {
        continue;
      }
      Duration length = pilot.shape().time();
      int count = have.merge(length, 1, Integer::sum);
      if (!lengths.contains(length) || count > params.ladderCopies()) {
        Intent.Cause cause =
            lengths.contains(length) ? Intent.Cause.SURPLUS : Intent.Cause.OFF_SHAPE;
        cancels.add(
            new Intent.CancelPilot(
                pilot.id(),
                cause,
                "adaptive: ladder needs "
                    + params.ladderCopies()
                    + " pending pilot(s) of "
                    + Durations.format(length)
                    + " (ladder "
                    + ladderText()
                    + ")"));
      } else {
        kept.add(pilot);
      }
    }
    List<Intent.SubmitPilot> submits = new ArrayList<>();
    // Longest first: when the bound trims, the short lengths (least node-time per window) go first.
    for (int i = lengths.size() - 1; i >= 0; i--) {
      Duration length = lengths.get(i);
      int missing =
          params.ladderCopies() - Math.min(params.ladderCopies(), have.getOrDefault(length, 0));
      PilotShape shape =
          new PilotShape(
              target.partition(),
              target.qos(),
              length,
              Optional.empty(),
              ladderNice(length),
              Optional.empty());
      for (int k = 0; k < missing; k++) {
        submits.add(
            new Intent.SubmitPilot(
                shape,
                "adaptive: ladder pilot of "
                    + Durations.format(length)
                    + " (nice "
                    + shape.nice()
                    + ", ladder "
                    + ladderText()
                    + " × "
                    + params.ladderCopies()
                    + "): Slurm starts the longest that fits a new window in its next backfill"
                    + " pass"));
      }
    }
    return submits;
  }

  /**
   * Ladder pilots come after pool pilots and after longer ladder pilots: pool-nice + 1 for the
   * longest.
   */
  private int ladderNice(Duration length) {
    List<Duration> lengths = ladder;
    return params.poolNice() + 1 + (lengths.size() - 1 - Math.max(0, lengths.indexOf(length)));
  }

  /**
   * An untargeted pending pilot of the ladder: nice above pool-nice, no time-min, at most
   * ladder-max.
   */
  private boolean isLadder(Pilot pilot) {
    PilotShape shape = pilot.shape();
    return !shape.targeted()
        && shape.timeMin().isEmpty()
        && shape.nice() > params.poolNice()
        && shape.time().compareTo(params.ladderMax()) <= 0;
  }

  private String ladderText() {
    return ladderText;
  }

  /** The pool length, chosen again only when the gap distribution changed. */
  private PoolLength.Choice poolLength() {
    GapDistribution distribution = gaps.distribution();
    if (distribution != lastDistribution) {
      lastDistribution = distribution;
      lastChoice = PoolLength.choose(distribution, params);
    }
    return lastChoice;
  }

  private Optional<String> staleReason(
      Pilot pilot, ClusterSnapshot snapshot, Fleet fleet, Set<String> covered) {
    String name = pilot.shape().targetNode().get();
    JobId id = pilot.id();
    Optional<Node> node = snapshot.node(name);
    if (node.isEmpty()) {
      return Optional.of(
          "target node " + name + " of pilot " + id + " is not in the harvest partition");
    }
    if (!node.get().state().harvestable()) {
      return Optional.of("target node " + name + " of pilot " + id + " is " + node.get().state());
    }
    Optional<Pilot> running = fleet.runningOn(name);
    if (running.isPresent()) {
      return Optional.of("target node " + name + " already runs pilot " + running.get().id());
    }
    if (covered.contains(name)) {
      return Optional.of("target node " + name + " already has an older pending pilot");
    }
    Window window = node.get().window().get();
    if (!window.fits(pilot.shape().shortest())) {
      return Optional.of(
          "window on "
              + name
              + " shrank to "
              + Durations.format(window.length().get().withNanos(0))
              + ", below the pilot's minimum "
              + Durations.format(pilot.shape().shortest()));
    }
    return Optional.empty();
  }
}
