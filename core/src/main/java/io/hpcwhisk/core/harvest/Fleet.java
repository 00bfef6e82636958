package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.PilotOwner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Our pilots, sorted by job id: the active ones (pending, running) and the finished ones the
 * scheduler still remembers. A value (equal when the pilots are equal); the per-state lists and the
 * running pilot of each node are indexed once on construction, so that policies calling {@link
 * #pending()} or {@link #runningOn} for every rung or node of a large cluster pay O(1) per call
 * instead of a scan of the fleet.
 */
public final class Fleet {

  private final List<Pilot> pilots;

  /**
   * Per-state lists by state ordinal, all made in one pass on first use (published through the
   * volatile field).
   */
  private volatile List<Pilot>[] byState;

  private volatile List<Pilot> pendingUntargeted;

  /**
   * Built on the first {@link #runningOn} call (a complete map published through the volatile
   * field).
   */
  private volatile Map<String, Pilot> runningByNode;

  /**
   * @param pilots the pilots in any order; two with one id are refused
   */
  public Fleet(List<Pilot> pilots) {
    Pilot[] sorted = pilots.toArray(new Pilot[0]);
    boolean increasing =
        true; // strictly: sorted and no id twice, the usual case, checked in one pass
    for (int i = 0; i < sorted.length; i++) {
      Objects.requireNonNull(sorted[i], "pilot");
      increasing = increasing && (i == 0 || sorted[i - 1].id().compareTo(sorted[i].id()) < 0);
    }
    if (!increasing) {
      Arrays.sort(sorted, Comparator.comparing(Pilot::id));
      for (int i = 1; i < sorted.length; i++) {
        if (sorted[i].id().equals(sorted[i - 1].id())) {
          throw new IllegalArgumentException(
              "pilot " + sorted[i].id() + " appears twice in the fleet");
        }
      }
    }
    this.pilots = Collections.unmodifiableList(Arrays.asList(sorted));
  }

  /** The pilots, sorted by job id. */
  public List<Pilot> pilots() {
    return pilots;
  }

  public static Fleet empty() {
    return new Fleet(List.of());
  }

  /**
   * The pilots among the jobs: every job whose name starts with {@code namePrefix}. A job without a
   * time limit is given one of 365 days and one without a partition the partition {@code
   * (unknown)}, so that it still shows up.
   */
  public static Fleet fromJobs(List<Job> jobs, String namePrefix) {
    return fromJobs(jobs, PilotOwner.byName(namePrefix));
  }

  /** The pilots among {@code jobs}: those {@code owner} owns ({@link PilotOwner#owns}). */
  public static Fleet fromJobs(List<Job> jobs, PilotOwner owner) {
    List<Pilot> pilots = new ArrayList<>();
    for (Job job : jobs) {
      if (!owner.owns(job)) {
        continue;
      }
      Duration time = job.timeLimit().orElse(Duration.ofDays(365));
      Optional<Duration> timeMin = job.timeMin().filter(m -> !m.isZero() && m.compareTo(time) <= 0);
      Optional<String> target =
          job.requiredNodes().size() == 1
              ? Optional.of(job.requiredNodes().get(0))
              : Optional.empty();
      String partition = job.partition().isBlank() ? "(unknown)" : job.partition();
      PilotShape shape =
          new PilotShape(partition, job.qos(), time, timeMin, Math.max(0, job.nice()), target);
      PilotState state = PilotState.of(job.state());
      Optional<String> node =
          state == PilotState.PENDING || job.nodes().isEmpty()
              ? Optional.empty()
              : Optional.of(job.nodes().get(0));
      pilots.add(
          new Pilot(
              job.id(),
              shape,
              state,
              node,
              job.submitTime(),
              state == PilotState.PENDING ? Optional.empty() : job.startTime(),
              state == PilotState.PENDING ? Optional.empty() : job.endTime(),
              job.preemptTime()));
    }
    return new Fleet(pilots);
  }

  public List<Pilot> pending() {
    return inState(PilotState.PENDING);
  }

  public List<Pilot> running() {
    return inState(PilotState.RUNNING);
  }

  public List<Pilot> inState(PilotState state) {
    List<Pilot>[] lists = byState;
    if (lists == null) {
      int states = PilotState.values().length;
      int[] counts = new int[states];
      for (Pilot pilot : pilots) {
        counts[pilot.state().ordinal()]++;
      }
      Pilot[][] buckets = new Pilot[states][];
      for (int s = 0; s < states; s++) {
        buckets[s] = new Pilot[counts[s]];
        counts[s] = 0;
      }
      for (Pilot pilot : pilots) {
        int s = pilot.state().ordinal();
        buckets[s][counts[s]++] = pilot;
      }
      @SuppressWarnings("unchecked")
      List<Pilot>[] found = new List[states];
      for (int s = 0; s < states; s++) {
        found[s] = Collections.unmodifiableList(Arrays.asList(buckets[s]));
      }
      lists = found;
      byState = lists;
    }
    return lists[state.ordinal()];
  }

  /** Pending pilots that may start on any node. */
  public List<Pilot> pendingUntargeted() {
    List<Pilot> list = pendingUntargeted;
    if (list == null) {
      list = pending().stream().filter(p -> !p.shape().targeted()).toList();
      pendingUntargeted = list;
    }
    return list;
  }

  /** Pending pilots that asked for this node. */
  public List<Pilot> pendingTargeting(String node) {
    return pending().stream()
        .filter(p -> p.shape().targetNode().filter(node::equals).isPresent())
        .toList();
  }

  /** The running pilot on this node, if any. */
  public Optional<Pilot> runningOn(String node) {
    Map<String, Pilot> index = runningByNode;
    if (index == null) {
      List<Pilot> running = running();
      index = new HashMap<>(2 * running.size() + 16);
      for (Pilot pilot : running) {
        if (pilot.node().isPresent()) {
          index.putIfAbsent(pilot.node().get(), pilot);
        }
      }
      runningByNode = index;
    }
    return Optional.ofNullable(index.get(node));
  }

  public Optional<Pilot> get(JobId id) {
    return pilots.stream().filter(p -> p.id().equals(id)).findFirst();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Fleet f && f.pilots.equals(pilots);
  }

  @Override
  public int hashCode() {
    return pilots.hashCode();
  }

  @Override
  public String toString() {
    return "Fleet[pilots=" + pilots + "]";
  }
}
