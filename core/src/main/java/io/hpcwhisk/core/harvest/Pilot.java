package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.JobId;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One of our pilot jobs.
 *
 * @param id its job id
 * @param shape the shape it was submitted with (as the scheduler reports it back)
 * @param state where it is in its life
 * @param node the node it runs or ran on, once started
 * @param submitTime when it was submitted, when known
 * @param startTime when it started, once started
 * @param endTime when it ended, or its expected end while running
 */
public record Pilot(
    JobId id,
    PilotShape shape,
    PilotState state,
    Optional<String> node,
    Optional<Instant> submitTime,
    Optional<Instant> startTime,
    Optional<Instant> endTime,
    Optional<Instant> preemptTime) {

  public Pilot {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(submitTime, "submitTime");
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(endTime, "endTime");
    Objects.requireNonNull(preemptTime, "preemptTime");
  }

  /** A pilot that was not preempted. */
  public Pilot(
      JobId id,
      PilotShape shape,
      PilotState state,
      Optional<String> node,
      Optional<Instant> submitTime,
      Optional<Instant> startTime,
      Optional<Instant> endTime) {
    this(id, shape, state, node, submitTime, startTime, endTime, Optional.empty());
  }

  /**
   * For a pilot that ended preempted: how long it took to leave after the scheduler preempted it,
   * i.e. how long the preempting job waited for it (at most the grace time, when Slurm ends it).
   * Whole seconds with Slurm.
   */
  public Optional<Duration> handOver() {
    if (state != PilotState.PREEMPTED || preemptTime.isEmpty() || endTime.isEmpty()) {
      return Optional.empty();
    }
    Duration took = Duration.between(preemptTime.get(), endTime.get());
    return Optional.of(took.isNegative() ? Duration.ZERO : took);
  }

  /**
   * True when the pilot runs and the scheduler has pulled its end in before start + time limit:
   * Slurm does this when it preempts a job with a GraceTime (the end becomes now + grace).
   */
  public boolean endPulledIn() {
    if (state != PilotState.RUNNING || startTime.isEmpty() || endTime.isEmpty()) {
      return false;
    }
    return endTime.get().isBefore(startTime.get().plus(shape.time()).minusSeconds(1));
  }

  /** A pilot waiting in the queue. */
  public static Pilot pending(JobId id, PilotShape shape, Instant submitted) {
    return new Pilot(
        id,
        shape,
        PilotState.PENDING,
        Optional.empty(),
        Optional.of(submitted),
        Optional.empty(),
        Optional.empty());
  }

  /** A pilot running on {@code node} since {@code started}. */
  public static Pilot running(JobId id, PilotShape shape, String node, Instant started) {
    return new Pilot(
        id,
        shape,
        PilotState.RUNNING,
        Optional.of(node),
        Optional.of(started),
        Optional.of(started),
        Optional.of(started.plus(shape.time())));
  }
}
