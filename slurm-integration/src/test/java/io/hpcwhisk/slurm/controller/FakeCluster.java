package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.core.cluster.ClusterAccessException;
import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A stateful fake cluster: nodes, a job list, a settable clock, and a switch that makes it
 * unreachable.
 */
class FakeCluster implements ClusterView, PilotLauncher, InstantSource {

  Instant now = Instant.parse("2026-01-01T00:00:00Z");
  boolean down;

  /** Cancels are recorded but change nothing (a job that takes its time to leave). */
  boolean ignoreCancels;

  final Map<String, NodeState> nodes = new LinkedHashMap<>();
  final Map<JobId, Job> jobs = new LinkedHashMap<>();
  final List<PilotShape> submitted = new ArrayList<>();
  final List<JobId> cancelled = new ArrayList<>();
  private long nextId = 100;

  FakeCluster(String... idleNodes) {
    for (String n : idleNodes) {
      nodes.put(n, NodeState.IDLE);
    }
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ClusterObservation observe() {
    if (down) {
      throw new ClusterAccessException(
          "`squeue --json` failed (exit code 1): stderr: Unable to contact slurm controller");
    }
    List<NodeInfo> infos = new ArrayList<>();
    nodes.forEach((n, s) -> infos.add(new NodeInfo(n, s, Set.of("batch", "whisk"))));
    return new ClusterObservation(now, infos, List.copyOf(jobs.values()));
  }

  @Override
  public JobId submit(PilotShape shape) {
    if (down) {
      throw new ClusterAccessException(
          "`sbatch` failed (exit code 1): stderr: Unable to contact slurm controller");
    }
    JobId id = new JobId(nextId++);
    submitted.add(shape);
    jobs.put(
        id,
        new Job(
            id,
            "hpcw-pilot-" + shape.time().toMinutes() + "m",
            shape.partition(),
            shape.qos(),
            JobState.PENDING,
            List.of(),
            shape.targetNode().map(List::of).orElse(List.of()),
            Optional.of(now),
            Optional.empty(),
            Optional.empty(),
            Optional.of(shape.time()),
            shape.timeMin(),
            shape.nice()));
    return id;
  }

  @Override
  public void cancel(JobId id) {
    cancelled.add(id);
    Job job = jobs.get(id);
    if (job != null && job.state().active() && !ignoreCancels) {
      jobs.put(
          id, job.withState(JobState.CANCELLED, job.nodes(), job.startTime(), Optional.of(now)));
    }
  }

  /** Starts a pending job on a node. */
  void start(JobId id, String node) {
    Job job = jobs.get(id);
    jobs.put(
        id,
        job.withState(
            JobState.RUNNING,
            List.of(node),
            Optional.of(now),
            Optional.of(now.plus(job.timeLimit().orElse(Duration.ofHours(1))))));
    nodes.put(node, NodeState.ALLOCATED);
  }

  /** Ends a job in the given state at now. */
  void end(JobId id, JobState state) {
    Job job = jobs.get(id);
    jobs.put(id, job.withState(state, job.nodes(), job.startTime(), Optional.of(now)));
    job.nodes().forEach(n -> nodes.put(n, NodeState.IDLE));
  }

  /**
   * Slurm's preemption with a GraceTime: the preempt time is now, the end is pulled in to now +
   * grace.
   */
  void preempt(JobId id, Duration grace) {
    Job j = jobs.get(id);
    jobs.put(
        id,
        new Job(
            j.id(),
            j.name(),
            j.partition(),
            j.qos(),
            JobState.RUNNING,
            j.nodes(),
            j.requiredNodes(),
            j.submitTime(),
            j.startTime(),
            Optional.of(now.plus(grace)),
            j.timeLimit(),
            j.timeMin(),
            j.nice(),
            Optional.of(now)));
  }

  void addBatch(Job job) {
    jobs.put(job.id(), job);
  }

  List<JobId> pendingPilots() {
    return jobs.values().stream()
        .filter(j -> j.state() == JobState.PENDING && j.name().startsWith("hpcw-pilot"))
        .map(Job::id)
        .toList();
  }

  void advance(Duration d) {
    now = now.plus(d);
  }
}
