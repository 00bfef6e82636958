package io.hpcwhisk.core.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job in the queue, batch job or pilot alike.
 *
 * @param id job id
 * @param name job name (pilots carry the configured prefix)
 * @param partition the partition it runs or waits in
 * @param qos its quality of service, when the cluster uses them
 * @param state its state
 * @param nodes the nodes it runs on (running) or is scheduled on by the backfill planner (pending);
 *     may be empty
 * @param requiredNodes nodes it asked for explicitly ({@code --nodelist}); empty when it did not
 * @param submitTime when it was submitted, when known
 * @param startTime when it started (running) or is expected to start (pending), when known
 * @param endTime when it ended or is expected to end, when known
 * @param timeLimit its time limit; empty when unlimited
 * @param timeMin its minimum time limit ({@code --time-min}); empty when not set
 * @param nice its nice value
 * @param preemptTime when the scheduler preempted it, when it did (Slurm's {@code preempt_time})
 * @param user the account that owns it (Slurm's {@code user_name}), when the source reports it; a
 *     job is one of our pilots only when its owner is the pilot user ({@link PilotOwner})
 */
public record Job(
    JobId id,
    String name,
    String partition,
    Optional<String> qos,
    JobState state,
    List<String> nodes,
    List<String> requiredNodes,
    Optional<Instant> submitTime,
    Optional<Instant> startTime,
    Optional<Instant> endTime,
    Optional<Duration> timeLimit,
    Optional<Duration> timeMin,
    int nice,
    Optional<Instant> preemptTime,
    Optional<String> user) {

  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(qos, "qos");
    Objects.requireNonNull(state, "state");
    nodes = List.copyOf(nodes);
    requiredNodes = List.copyOf(requiredNodes);
    Objects.requireNonNull(submitTime, "submitTime");
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(endTime, "endTime");
    Objects.requireNonNull(timeLimit, "timeLimit");
    Objects.requireNonNull(timeMin, "timeMin");
    Objects.requireNonNull(preemptTime, "preemptTime");
    Objects.requireNonNull(user, "user");
  }

  /** A job whose owner the source did not report (simulators, fakes). */
  public Job(
      JobId id,
      String name,
      String partition,
      Optional<String> qos,
      JobState state,
      List<String> nodes,
      List<String> requiredNodes,
      Optional<Instant> submitTime,
      Optional<Instant> startTime,
      Optional<Instant> endTime,
      Optional<Duration> timeLimit,
      Optional<Duration> timeMin,
      int nice,
      Optional<Instant> preemptTime) {
    this(
        id,
        name,
        partition,
        qos,
        state,
        nodes,
        requiredNodes,
        submitTime,
        startTime,
        endTime,
        timeLimit,
        timeMin,
        nice,
        preemptTime,
        Optional.empty());
  }

  /** A job that was not preempted. */
  public Job(
      JobId id,
      String name,
      String partition,
      Optional<String> qos,
      JobState state,
      List<String> nodes,
      List<String> requiredNodes,
      Optional<Instant> submitTime,
      Optional<Instant> startTime,
      Optional<Instant> endTime,
      Optional<Duration> timeLimit,
      Optional<Duration> timeMin,
      int nice) {
    this(
        id,
        name,
        partition,
        qos,
        state,
        nodes,
        requiredNodes,
        submitTime,
        startTime,
        endTime,
        timeLimit,
        timeMin,
        nice,
        Optional.empty());
  }

  /**
   * A pending batch job the planner expects to start at {@code expectedStart} on {@code
   * scheduledNodes}.
   */
  public static Job pending(
      JobId id,
      String name,
      String partition,
      List<String> scheduledNodes,
      Instant expectedStart,
      Duration limit) {
    return new Job(
        id,
        name,
        partition,
        Optional.empty(),
        JobState.PENDING,
        scheduledNodes,
        List.of(),
        Optional.empty(),
        Optional.of(expectedStart),
        Optional.of(expectedStart.plus(limit)),
        Optional.of(limit),
        Optional.empty(),
        0);
  }

  /** A running job on {@code nodes} that started at {@code start}. */
  public static Job running(
      JobId id, String name, String partition, List<String> nodes, Instant start, Duration limit) {
    return new Job(
        id,
        name,
        partition,
        Optional.empty(),
        JobState.RUNNING,
        nodes,
        List.of(),
        Optional.empty(),
        Optional.of(start),
        Optional.of(start.plus(limit)),
        Optional.of(limit),
        Optional.empty(),
        0);
  }

  /** The same job in another state (and with other nodes and times), for fakes and simulators. */
  public Job withState(
      JobState newState,
      List<String> newNodes,
      Optional<Instant> newStart,
      Optional<Instant> newEnd) {
    return new Job(
        id,
        name,
        partition,
        qos,
        newState,
        newNodes,
        requiredNodes,
        submitTime,
        newStart,
        newEnd,
        timeLimit,
        timeMin,
        nice,
        preemptTime,
        user);
  }
}
