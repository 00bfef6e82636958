package io.hpcwhisk.core.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a {@link ClusterSnapshot} from a raw {@link ClusterObservation}.
 *
 * <p><b>Algorithm.</b> Keep the nodes of the harvest partition. For each harvestable node (idle or
 * planned), its window ends at the earliest expected start among pending jobs that are not pilots
 * and that the planner has scheduled on that node; a start already in the past closes the window
 * (length zero); no such job leaves it unbounded. Pilot jobs are recognised by their name prefix
 * and owner ({@link PilotOwner}) and never close a window: they are what the window is for. Active
 * jobs (running, pending, completing, suspended) of every partition are kept.
 *
 * <p><b>Example.</b> Nodes n1..n4 in partition {@code whisk}; a running 2-node batch job on n1,n2
 * and a pending 4-node job expected at now+90 s on n1..n4. Then n1, n2 are ALLOCATED without
 * window, and n3, n4 are PLANNED with a 90 s window each.
 *
 * <p><b>Known caveats.</b> Slurm only plans the jobs its backfill pass reached ({@code
 * bf_max_job_test}, {@code bf_window}); a node whose next job was not planned looks unbounded. Jobs
 * pending without scheduled nodes (for example waiting for a dependency) do not close any window.
 */
public final class SnapshotBuilder {

  private final HarvestTarget target;
  private final PilotOwner pilots;

  /**
   * @param target the harvest partition (and QOS)
   * @param pilotNamePrefix the job-name prefix of pilot jobs, which never close a window (by name
   *     only: for sources that do not report owners)
   */
  public SnapshotBuilder(HarvestTarget target, String pilotNamePrefix) {
    this(target, PilotOwner.byName(pilotNamePrefix));
  }

  /**
   * @param target the harvest partition (and QOS)
   * @param pilots which jobs are our pilots, which never close a window
   */
  public SnapshotBuilder(HarvestTarget target, PilotOwner pilots) {
    this.target = Objects.requireNonNull(target, "target");
    this.pilots = Objects.requireNonNull(pilots, "pilots");
  }

  public ClusterSnapshot build(ClusterObservation observation) {
    Instant now = observation.observedAt();
    Map<String, Instant> nextPlannedStart = new HashMap<>();
    for (Job job : observation.jobs()) {
      if (job.state() != JobState.PENDING || isPilot(job) || job.startTime().isEmpty()) {
        continue;
      }
      Instant start = job.startTime().get();
      for (String node : job.nodes()) {
        nextPlannedStart.merge(node, start, (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    List<Node> nodes = new ArrayList<>();
    for (NodeInfo info : observation.nodes()) {
      if (!info.partitions().contains(target.partition())) {
        continue;
      }
      if (!info.state().harvestable()) {
        nodes.add(Node.busy(info.name(), info.state()));
        continue;
      }
      Optional<Instant> end = Optional.ofNullable(nextPlannedStart.get(info.name()));
      Window window = end.map(e -> Window.until(now, e)).orElseGet(() -> Window.unbounded(now));
      nodes.add(Node.free(info.name(), info.state(), window));
    }
    List<Job> active = observation.jobs().stream().filter(j -> j.state().active()).toList();
    return new ClusterSnapshot(now, target, nodes, active);
  }

  /** True when the job is one of our pilots ({@link PilotOwner#owns}). */
  public boolean isPilot(Job job) {
    return pilots.owns(job);
  }
}
