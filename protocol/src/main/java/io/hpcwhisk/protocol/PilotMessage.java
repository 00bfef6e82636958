package io.hpcwhisk.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Messages from a pilot to the balancer. The conversation, over one WebSocket per pilot:
 *
 * <pre>
 * pilot                                  balancer
 *   register  -------------------------&gt;
 *             &lt;-------------------------  registered | refused (then close)
 *   heartbeat (every heartbeatIntervalMs, at most 1 s) ---&gt;
 *             &lt;-------------------------  activate(request)
 *   accepted(id) ----------------------&gt;               (the pilot holds it now: lease starts)
 *   completed(outcome) ----------------&gt;               (exactly one per accepted activation ...)
 *   draining(reason, leaveBy) ---------&gt;               (SIGTERM or own deadline: send nothing new)
 *   hand-back(ids, reason) ------------&gt;               (... or handed back unstarted)
 *   leaving(reason) -------------------&gt;  then close
 * </pre>
 *
 * An activation the pilot had accepted and neither completed nor handed back when the connection is
 * lost is the balancer's to re-dispatch or fail ("pilot lost").
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = PilotMessage.Register.class, name = "register"),
  @JsonSubTypes.Type(value = PilotMessage.Heartbeat.class, name = "heartbeat"),
  @JsonSubTypes.Type(value = PilotMessage.Accepted.class, name = "accepted"),
  @JsonSubTypes.Type(value = PilotMessage.Completed.class, name = "completed"),
  @JsonSubTypes.Type(value = PilotMessage.Draining.class, name = "draining"),
  @JsonSubTypes.Type(value = PilotMessage.HandBack.class, name = "hand-back"),
  @JsonSubTypes.Type(value = PilotMessage.Leaving.class, name = "leaving")
})
public sealed interface PilotMessage {

  /**
   * First message: who the pilot is and what it offers.
   *
   * @param pilotId stable id, {@code slurm-<jobId>}
   * @param jobId the Slurm job id
   * @param node the node name (SLURMD_NODENAME)
   * @param cpus CPUs of the allocation
   * @param memoryMb memory the pilot's runtimes may use together (OpenWhisk's memory slots, in MB)
   * @param kinds kinds the pilot runs
   * @param warm idle warm runtimes per action version key (normally empty at registration)
   * @param deadlineMs epoch ms when the Slurm job ends (its time limit)
   * @param jobStartMs epoch ms when Slurm started the job (Slurm's 1-second resolution)
   * @param launchedAtMs epoch ms when the pilot's batch script began (sub-second; 0 if unknown):
   *     registration time minus this is the pilot's warm-up
   * @param pilotVersion HPC-Whisk version of the pilot
   */
  record Register(
      String pilotId,
      String jobId,
      String node,
      int cpus,
      int memoryMb,
      List<String> kinds,
      Map<String, Integer> warm,
      long deadlineMs,
      long jobStartMs,
      long launchedAtMs,
      String pilotVersion)
      implements PilotMessage {
    public Register {
      Objects.requireNonNull(pilotId, "pilotId");
      kinds = kinds == null ? List.of() : List.copyOf(kinds);
      warm = warm == null ? Map.of() : Map.copyOf(warm);
      if (memoryMb <= 0 || cpus <= 0) {
        throw new IllegalArgumentException("cpus and memoryMb must be positive, got " + cpus + "/" + memoryMb);
      }
    }
  }

  /**
   * Liveness and load, at most every second.
   *
   * @param seq increases by one per heartbeat
   * @param sentAtMs the pilot's clock when sent
   * @param freeMemoryMb memory not reserved by running activations
   * @param running activations accepted and not yet completed
   * @param warm idle warm runtimes per action version key
   * @param draining whether the pilot drains
   * @param metrics cumulative counters
   */
  record Heartbeat(
      long seq,
      long sentAtMs,
      int freeMemoryMb,
      int running,
      Map<String, Integer> warm,
      boolean draining,
      PilotMetrics metrics)
      implements PilotMessage {
    public Heartbeat {
      warm = warm == null ? Map.of() : Map.copyOf(warm);
      metrics = metrics == null ? PilotMetrics.empty() : metrics;
    }
  }

  /** The pilot took the activation; it now owes a {@link Completed} or a {@link HandBack} for it. */
  record Accepted(String activationId) implements PilotMessage {
    public Accepted {
      Objects.requireNonNull(activationId, "activationId");
    }
  }

  /** An activation ended (any status). */
  record Completed(ActivationOutcome outcome) implements PilotMessage {
    public Completed {
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /**
   * The pilot drains from now on: send it nothing new.
   *
   * @param reason e.g. "SIGTERM (preempted or time limit)" or "job deadline in 12 s"
   * @param leaveByMs epoch ms by which the pilot will have left
   */
  record Draining(String reason, long leaveByMs) implements PilotMessage {}

  /** Activations the pilot accepted but did not start (or cannot finish in time): re-dispatch them. */
  record HandBack(List<String> activationIds, String reason) implements PilotMessage {
    public HandBack {
      activationIds = activationIds == null ? List.of() : List.copyOf(activationIds);
    }
  }

  /** Last message before the pilot closes the connection. */
  record Leaving(String reason) implements PilotMessage {}
}
