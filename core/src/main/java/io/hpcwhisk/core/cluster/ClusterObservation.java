package io.hpcwhisk.core.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link ClusterView} saw at one instant: every node and every job it reported (finished
 * jobs that the scheduler still remembers included), before any filtering.
 */
public record ClusterObservation(Instant observedAt, List<NodeInfo> nodes, List<Job> jobs) {

  public ClusterObservation {
    Objects.requireNonNull(observedAt, "observedAt");
    nodes = List.copyOf(nodes);
    jobs = List.copyOf(jobs);
  }
}
