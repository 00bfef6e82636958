package io.hpcwhisk.slurm.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.slurm.SlurmAccessException;
import io.hpcwhisk.slurm.cli.SlurmJson;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * Reads the cluster from slurmrestd: {@code GET /slurm/VERSION/nodes} and {@code GET
 * /slurm/VERSION/jobs} (every job slurmctld remembers, finished ones included, with the scheduled
 * nodes of pending jobs), parsed by the same {@link SlurmJson} as the CLI's {@code --json} output.
 * From the second pass on both ask with {@code update_time} (slurmctld's {@code last_update} of the
 * last answer): an unchanged table costs slurmctld one "no change" answer and is not sent or
 * parsed.
 */
public final class SlurmRestClusterView implements ClusterView {

  private final SlurmRestClient client;
  private final InstantSource clock;
  private List<NodeInfo> lastNodes = List.of();
  private List<Job> lastJobs = List.of();
  private long lastNodesUpdate;
  private long lastJobsUpdate;

  public SlurmRestClusterView(SlurmRestClient client, InstantSource clock) {
    this.client = client;
    this.clock = clock;
  }

  /**
   * Reads nodes and jobs; after a first whole read, asks with {@code update_time} set to the last
   * answer's {@code last_update}, so that slurmctld sends nothing when nothing changed (the lists
   * of the last pass are kept) and the whole list when something did.
   */
  @Override
  public synchronized ClusterObservation observe() {
    var now = clock.instant();
    Optional<JsonNode> nodes =
        lastNodesUpdate > 0
            ? client.getChangedSince("nodes", "nodes", lastNodesUpdate)
            : Optional.of(client.get("nodes"));
    Optional<JsonNode> jobs =
        lastJobsUpdate > 0
            ? client.getChangedSince("jobs", "jobs", lastJobsUpdate)
            : Optional.of(client.get("jobs"));
    List<NodeInfo> nodeInfos = lastNodes;
    List<Job> jobList = lastJobs;
    JsonNode any = nodes.or(() -> jobs).orElse(null);
    try {
      if (nodes.isPresent()) {
        nodeInfos = List.copyOf(SlurmJson.nodes(nodes.get()));
        lastNodes = nodeInfos;
        lastNodesUpdate = lastUpdate(nodes.get());
      }
      if (jobs.isPresent()) {
        jobList = List.copyOf(SlurmJson.jobs(jobs.get()));
        lastJobs = jobList;
        lastJobsUpdate = lastUpdate(jobs.get());
      }
    } catch (IllegalArgumentException e) {
      lastNodesUpdate = 0;
      lastJobsUpdate = 0;
      throw new SlurmAccessException(
          SlurmAccessException.Reason.GARBAGE,
          "cannot read slurmrestd's answer at "
              + client.base()
              + " ("
              + (any == null ? "" : release(any))
              + "data_parser "
              + client.version().orElse("?")
              + "): "
              + e.getMessage(),
          e);
    }
    return new ClusterObservation(now, nodeInfos, jobList);
  }

  /** Slurm's {@code last_update} of an answer (plain or wrapped number), or 0. */
  static long lastUpdate(JsonNode doc) {
    JsonNode n = doc.path("last_update");
    long v = n.isObject() ? n.path("number").asLong(0) : n.asLong(0);
    return Math.max(0, v);
  }

  private static String release(JsonNode doc) {
    String release = doc.path("meta").path("slurm").path("release").asText("");
    return release.isEmpty() ? "" : "Slurm " + release + ", ";
  }
}
