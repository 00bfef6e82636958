package io.hpcwhisk.pilot;

import java.time.Instant;
import java.util.Objects;

/**
 * Who a pilot is and what it holds: its Slurm job, node, CPUs and memory, and when its job started
 * and must end (the deadline), and when its batch script began ({@code launchedAt}, sub-second).
 */
public record PilotIdentity(
    String jobId,
    String node,
    int cpus,
    int memoryMb,
    Instant jobStart,
    Instant deadline,
    Instant launchedAt) {

  public PilotIdentity {
    if (jobId == null || jobId.isBlank()) {
      throw new IllegalArgumentException("jobId must not be blank");
    }
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(jobStart, "jobStart");
    Objects.requireNonNull(deadline, "deadline");
    launchedAt = launchedAt == null ? jobStart : launchedAt;
    if (cpus <= 0 || memoryMb <= 0) {
      throw new IllegalArgumentException(
          "cpus and memoryMb must be positive, got " + cpus + " and " + memoryMb);
    }
  }

  /** The id the balancer knows the pilot by. */
  public String pilotId() {
    return "slurm-" + jobId;
  }
}
