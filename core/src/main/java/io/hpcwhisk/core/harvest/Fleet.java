package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Our pilots, sorted by job id: the active ones (pending, running) and the finished ones the scheduler still
 * remembers.
 */
public record Fleet(List<Pilot> pilots) {

  public Fleet {
    pilots = pilots.stream().sorted(Comparator.comparing(Pilot::id)).toList();
    for (int i = 1; i < pilots.size(); i++) {
      if (pilots.get(i).id().equals(pilots.get(i - 1).id())) {
        throw new IllegalArgumentException("pilot " + pilots.get(i).id() + " appears twice in the fleet");
      }
    }
  }

  public static Fleet empty() {
    return new Fleet(List.of());
  }

  /**
   * The pilots among the jobs: every job whose name starts with {@code namePrefix}. A job without a time limit
   * is given one of 365 days, so that it still shows up.
   */
  public static Fleet fromJobs(List<Job> jobs, String namePrefix) {
    List<Pilot> pilots = new ArrayList<>();
    for (Job job : jobs) {
      if (!job.name().startsWith(namePrefix)) {
        continue;
      }
      Duration time = job.timeLimit().orElse(Duration.ofDays(365));
      Optional<Duration> timeMin = job.timeMin().filter(m -> !m.isZero() && m.compareTo(time) <= 0);
      Optional<String> target = job.requiredNodes().size() == 1 ? Optional.of(job.requiredNodes().get(0))
          : Optional.empty();
      PilotShape shape = new PilotShape(job.partition(), job.qos(), time, timeMin, Math.max(0, job.nice()), target);
      PilotState state = PilotState.of(job.state());
      Optional<String> node = state == PilotState.PENDING || job.nodes().isEmpty() ? Optional.empty()
          : Optional.of(job.nodes().get(0));
      pilots.add(new Pilot(job.id(), shape, state, node, job.submitTime(),
          state == PilotState.PENDING ? Optional.empty() : job.startTime(),
          state == PilotState.PENDING ? Optional.empty() : job.endTime()));
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
    return pilots.stream().filter(p -> p.state() == state).toList();
  }

  /** Pending pilots that may start on any node. */
  public List<Pilot> pendingUntargeted() {
    return pending().stream().filter(p -> !p.shape().targeted()).toList();
  }

  /** Pending pilots that asked for this node. */
  public List<Pilot> pendingTargeting(String node) {
    return pending().stream().filter(p -> p.shape().targetNode().filter(node::equals).isPresent()).toList();
  }

  /** The running pilot on this node, if any. */
  public Optional<Pilot> runningOn(String node) {
    return running().stream().filter(p -> p.node().filter(node::equals).isPresent()).findFirst();
  }

  public Optional<Pilot> get(JobId id) {
    return pilots.stream().filter(p -> p.id().equals(id)).findFirst();
  }
}
