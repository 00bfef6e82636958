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

/**
 * Reads the cluster from slurmrestd: {@code GET /slurm/VERSION/nodes} and {@code GET
 * /slurm/VERSION/jobs} (every job slurmctld remembers, finished ones included, with the scheduled
 * nodes of pending jobs), parsed by the same {@link SlurmJson} as the CLI's {@code --json} output.
 */
public final class SlurmRestClusterView implements ClusterView {

  private final SlurmRestClient client;
  private final InstantSource clock;

  public SlurmRestClusterView(SlurmRestClient client, InstantSource clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public ClusterObservation observe() {
    var now = clock.instant();
    JsonNode nodes = client.get("nodes");
    JsonNode jobs = client.get("jobs");
    List<NodeInfo> nodeInfos;
    List<Job> jobList;
    try {
      nodeInfos = SlurmJson.nodes(nodes);
      jobList = SlurmJson.jobs(jobs);
    } catch (IllegalArgumentException e) {
      throw new SlurmAccessException(
          SlurmAccessException.Reason.GARBAGE,
          "cannot read slurmrestd's answer at "
              + client.base()
              + " ("
              + release(nodes)
              + "data_parser "
              + client.version().orElse("?")
              + "): "
              + e.getMessage(),
          e);
    }
    return new ClusterObservation(now, nodeInfos, jobList);
  }

  private static String release(JsonNode doc) {
    String release = doc.path("meta").path("slurm").path("release").asText("");
    return release.isEmpty() ? "" : "Slurm " + release + ", ";
  }
}
