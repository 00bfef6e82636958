package io.hpcwhisk.simulator.batch;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The model's pending and running batch jobs, with the core {@link Job} a controller would see
 * (built lazily).
 */
final class Jobs {

  private Jobs() {}

  static final String BATCH_PARTITION = "batch";

  /**
   * A job waiting in the queue; {@code expectedStart} and {@code plannedNodes} come from the last
   * planner pass.
   */
  static final class Pending {
    final JobSpec spec;
    long expectedStart = -1;
    int[] plannedNodes;

    /** The start the running backfill pass found, before its nodes are picked. */
    long passStart;

    /** Set when the job leaves the queue (it started). */
    boolean started;

    private Job job;

    Pending(JobSpec spec) {
      this.spec = spec;
    }

    /** Records the planner's start and nodes; true when they differ from the previous plan. */
    boolean plan(long start, int[] nodes) {
      if (start == expectedStart && Arrays.equals(nodes, plannedNodes)) {
        return false;
      }
      expectedStart = start;
      plannedNodes = nodes;
      job = null;
      return true;
    }

    Job job(Instant origin, TimeBase time, String[] names) {
      if (job == null) {
        JobId id = new JobId(spec.ordinal() + 1);
        String name = "job" + spec.traceId();
        Duration limit = time.duration(spec.requestedTime());
        if (expectedStart >= 0) {
          List<String> nodes = new ArrayList<>();
          for (int node : plannedNodes) {
            nodes.add(names[node]);
          }
          job =
              Job.pending(id, name, BATCH_PARTITION, nodes, time.at(origin, expectedStart), limit);
        } else {
          job =
              new Job(
                  id,
                  name,
                  BATCH_PARTITION,
                  Optional.empty(),
                  JobState.PENDING,
                  List.of(),
                  List.of(),
                  Optional.of(time.at(origin, spec.submit())),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.of(limit),
                  Optional.empty(),
                  0);
        }
      }
      return job;
    }
  }

  /**
   * A job holding nodes: started, or waiting for preempted pilots to leave ({@code start} in the
   * future).
   */
  static final class Running implements Comparable<Running> {
    final JobSpec spec;
    final long start;
    final long plannedEnd;
    final int[] nodes;
    final long seq;

    /** Set when the job ended (its nodes may still be COMPLETING). */
    boolean ended;

    private Job job;

    Running(JobSpec spec, long start, int[] nodes, long seq) {
      this.spec = spec;
      this.start = start;
      this.plannedEnd = start + spec.requestedTime();
      this.nodes = nodes;
      this.seq = seq;
    }

    Job job(Instant origin, TimeBase time, String[] names) {
      if (job == null) {
        List<String> list = new ArrayList<>(nodes.length);
        for (int node : nodes) {
          list.add(names[node]);
        }
        job =
            Job.running(
                new JobId(spec.ordinal() + 1),
                "job" + spec.traceId(),
                BATCH_PARTITION,
                list,
                time.at(origin, start),
                time.duration(spec.requestedTime()));
      }
      return job;
    }

    @Override
    public int compareTo(Running other) {
      int c = Long.compare(plannedEnd, other.plannedEnd);
      return c != 0 ? c : Long.compare(seq, other.seq);
    }
  }
}
