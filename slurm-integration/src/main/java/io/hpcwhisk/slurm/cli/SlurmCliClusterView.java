package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.slurm.SlurmAccessException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the cluster with {@code sinfo --json} and {@code squeue --json}; when the JSON carries no
 * scheduled nodes for pending jobs (Slurm 22.05), adds them from {@code squeue --format=%i|%Y}.
 */
public final class SlurmCliClusterView implements ClusterView {

  private final SlurmCli cli;
  private final InstantSource clock;

  private final NodeGres gres;

  /** The last answers and what was read from them: an unchanged answer is not parsed again. */
  private String lastSinfo;

  private List<NodeInfo> lastNodes;
  private String lastSqueue;
  private List<Job> lastJobs;
  private List<Job> lastMerged;

  public SlurmCliClusterView(SlurmCli cli, InstantSource clock) {
    this(cli, clock, new NodeGres());
  }

  /** A view that also keeps each node's GPUs in {@code gres} (for the pilot launcher). */
  public SlurmCliClusterView(SlurmCli cli, InstantSource clock, NodeGres gres) {
    this.cli = cli;
    this.clock = clock;
    this.gres = gres;
  }

  /**
   * Reads the cluster. An answer that is byte for byte the one before (Slurm's {@code last_update}
   * did not move) is not parsed again: the observation then carries the same lists.
   */
  @Override
  public synchronized ClusterObservation observe() {
    var now = clock.instant();
    String sinfo = cli.sinfoJson();
    String squeue = cli.squeueJson();
    List<NodeInfo> nodes;
    List<Job> jobs;
    try {
      if (sinfo.equals(lastSinfo)) {
        nodes = lastNodes;
      } else {
        nodes = List.copyOf(SlurmJson.nodes(sinfo));
        gres.update(sinfo);
        lastSinfo = sinfo;
        lastNodes = nodes;
      }
      if (squeue.equals(lastSqueue)) {
        jobs = lastJobs;
      } else {
        jobs = List.copyOf(SlurmJson.jobs(squeue));
        lastSqueue = squeue;
        lastJobs = jobs;
      }
    } catch (IllegalArgumentException e) {
      String version = version(sinfo, squeue);
      throw new SlurmAccessException(
          version.isEmpty()
              ? SlurmAccessException.Reason.GARBAGE
              : SlurmAccessException.Reason.VERSION,
          "cannot read Slurm's JSON: " + e.getMessage() + version,
          e);
    }
    boolean pendingWithoutSchedule =
        jobs.stream().anyMatch(j -> j.state() == JobState.PENDING && j.nodes().isEmpty());
    if (pendingWithoutSchedule && !squeue.contains("\"scheduled_nodes\"")) {
      Map<JobId, List<String>> scheduled = cli.pendingScheduledNodes();
      List<Job> merged = new ArrayList<>(jobs.size());
      for (Job job : jobs) {
        List<String> sched = scheduled.get(job.id());
        merged.add(
            job.state() == JobState.PENDING && sched != null
                ? job.withState(job.state(), sched, job.startTime(), job.endTime())
                : job);
      }
      jobs = List.copyOf(merged);
      if (jobs.equals(lastMerged)) {
        jobs = lastMerged; // the same lists as the last pass: the controller sees no change cheaply
      }
      lastMerged = jobs;
    }
    return new ClusterObservation(now, nodes, jobs);
  }

  /**
   * Which Slurm and data_parser printed the documents, when they say, and what the adapter reads.
   */
  static String version(String... documents) {
    for (String doc : documents) {
      Optional<String> release;
      try {
        release = SlurmJson.release(doc);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (release.isPresent()) {
        return " (Slurm "
            + release.get()
            + SlurmJson.dataParser(doc).map(p -> ", data_parser " + p).orElse("")
            + "; this HPC-Whisk reads Slurm 22.05's JSON and data_parser "
            + String.join(", ", SlurmCli.DATA_PARSERS)
            + ")";
      }
    }
    return "";
  }
}
