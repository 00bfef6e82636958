package io.hpcwhisk.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 *   started(id) -----------------------&gt;               (minor 1: its runtime begins running it)
 *             &lt;-------------------------  cancel(id)  (minor 1: drop it unless started)
 *   completed(outcome[, fault]) -------&gt;               (exactly one per accepted activation ...)
 *   draining(reason, leaveBy) ---------&gt;               (SIGTERM or own deadline: send nothing new)
 *   hand-back(activations, reason) ----&gt;              (... or handed back, each with started=true/false)
 *             &lt;-------------------------  ping(nonce)  (minor 1: health probe)
 *   pong(nonce) -----------------------&gt;
 *   leaving(reason) -------------------&gt;  then close
 * </pre>
 *
 * An activation the pilot had accepted and neither completed nor handed back when the connection is
 * lost is the balancer's to re-dispatch or fail ("pilot lost").
 *
 * <p><b>Minor versions.</b> Within {@code "v":1} both sides announce the minor version they speak
 * ({@code register.minor}, {@code registered.minor}; absent = 0) and use a later minor's messages
 * only when the other side announced it. Minor 1 ({@link PilotProtocol#MINOR}) adds {@link
 * Started}, {@link HandBack#activations()} with a per-activation {@code started} flag, {@link
 * Completed#fault()}, the pilot's promise to drop a not-yet-started activation it is told to {@code
 * cancel} (also when the cancel arrives before the activation), and {@code ping}/{@link Pong}. In
 * minor 1, {@code started} and {@code completed} acknowledge an activation as {@code accepted}
 * does: a minor-1 pilot sends {@code accepted} only for an activation it has not started within
 * about 100 ms (queued, or a cold runtime starting), which saves one frame per activation on the
 * hot path; a minor-1 balancer must therefore not expect {@code accepted} before {@code started}.
 * Minor 1 is also the oldest either side accepts ({@link PilotProtocol#MIN_MINOR}): minor 0 was
 * never released, and a pilot or balancer announcing it is refused with a reason naming it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = PilotMessage.Register.class, name = "register"),
  @JsonSubTypes.Type(value = PilotMessage.Heartbeat.class, name = "heartbeat"),
  @JsonSubTypes.Type(value = PilotMessage.Accepted.class, name = "accepted"),
  @JsonSubTypes.Type(value = PilotMessage.Completed.class, name = "completed"),
  @JsonSubTypes.Type(value = PilotMessage.Draining.class, name = "draining"),
  @JsonSubTypes.Type(value = PilotMessage.HandBack.class, name = "hand-back"),
  @JsonSubTypes.Type(value = PilotMessage.Leaving.class, name = "leaving"),
  @JsonSubTypes.Type(value = PilotMessage.Started.class, name = "started"),
  @JsonSubTypes.Type(value = PilotMessage.Pong.class, name = "pong")
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
   * @param minor the protocol minor version the pilot speaks (absent: 0, which the balancer
   *     refuses, see {@link PilotProtocol#MIN_MINOR})
   * @param onlyNamespace set by a single-tenant pilot (one that runs actions without a sandbox
   *     under the administrator's {@code pilot.unsandboxed-namespace} opt-out): the one namespace
   *     whose activations it runs; it ends any other in a whisk error. Absent (null): every
   *     namespace. An optional field added within minor 1: a balancer that ignores it sends such a
   *     pilot other namespaces' work, which the pilot refuses.
   * @param gpuIds the GPU ids the pilot's Slurm job holds, as CUDA in the job names them (its
   *     {@code CUDA_VISIBLE_DEVICES}); empty or absent: a CPU-only pilot. An optional field added
   *     within minor 1: a pilot that does not send it is a CPU-only pilot, and a balancer that
   *     ignores it sends such a pilot no GPU work it knows of. Its {@code cpus} are the cores it
   *     offers to actions that ask for cores ({@code limits.cpu}).
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
      String pilotVersion,
      int minor,
      @JsonInclude(JsonInclude.Include.NON_NULL) String onlyNamespace,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> gpuIds)
      implements PilotMessage {

    /** A CPU-only registration. */
    public Register(
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
        String pilotVersion,
        int minor,
        String onlyNamespace) {
      this(
          pilotId,
          jobId,
          node,
          cpus,
          memoryMb,
          kinds,
          warm,
          deadlineMs,
          jobStartMs,
          launchedAtMs,
          pilotVersion,
          minor,
          onlyNamespace,
          List.of());
    }

    /** A registration that serves every namespace (a sandboxed pilot). */
    public Register(
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
        String pilotVersion,
        int minor) {
      this(
          pilotId,
          jobId,
          node,
          cpus,
          memoryMb,
          kinds,
          warm,
          deadlineMs,
          jobStartMs,
          launchedAtMs,
          pilotVersion,
          minor,
          null,
          List.of());
    }

    public Register {
      if (minor < 0) {
        throw new IllegalArgumentException("minor must not be negative, got " + minor);
      }
      Objects.requireNonNull(pilotId, "pilotId");
      kinds = kinds == null ? List.of() : List.copyOf(kinds);
      warm = warm == null ? Map.of() : Map.copyOf(warm);
      if (memoryMb <= 0 || cpus <= 0) {
        throw new IllegalArgumentException(
            "cpus and memoryMb must be positive, got " + cpus + "/" + memoryMb);
      }
      gpuIds = gpuIds == null ? List.of() : List.copyOf(gpuIds);
      for (String gpu : gpuIds) {
        if (gpu == null || !gpu.matches("[A-Za-z0-9:_.-]{1,64}")) {
          throw new IllegalArgumentException(
              "gpuIds must be GPU ids (letters, digits, ':', '_', '.', '-'), got " + gpu);
        }
      }
      if (onlyNamespace != null && onlyNamespace.isBlank()) {
        throw new IllegalArgumentException(
            "onlyNamespace must be absent or a namespace, got a blank one");
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

  /**
   * The pilot took the activation; it now owes a {@link Completed} or a {@link HandBack} for it.
   */
  record Accepted(String activationId) implements PilotMessage {
    public Accepted {
      Objects.requireNonNull(activationId, "activationId");
    }
  }

  /**
   * Minor 1: the pilot's runtime begins running the activation now (the runtime is up and the
   * activation is handed to the action's code). Sent once, before its {@link Completed}. Until
   * this, the activation has not started: handing it back, losing it or cancelling it cannot run it
   * twice.
   */
  record Started(String activationId, long startedAtMs) implements PilotMessage {
    public Started {
      Objects.requireNonNull(activationId, "activationId");
    }
  }

  /**
   * An activation ended (any status).
   *
   * @param outcome the result
   * @param fault minor 1: null when the outcome is the action's; {@link #FAULT_RUNTIME_START} when
   *     the pilot could not start the action's runtime (or otherwise failed before it started the
   *     activation): the pilot's fault, not the user's
   */
  record Completed(ActivationOutcome outcome, String fault) implements PilotMessage {

    /** The pilot could not start the runtime; the activation did not start. */
    public static final String FAULT_RUNTIME_START = "runtime-start";

    public Completed(ActivationOutcome outcome) {
      this(outcome, null);
    }

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

  /**
   * Activations the pilot gives back (draining, cancelled, cannot finish in time): re-dispatch
   * them.
   *
   * <p>The wire form before minor 1 carried only {@code activationIds}; minor 1 pilots also sent
   * them beside {@code activations} for minor-0 balancers. Neither side speaks minor 0 any more, so
   * the field is gone; a reader ignores it (unknown fields are ignored).
   *
   * @param activations the handed-back activations, each with whether it had started
   * @param reason why, for logs and the error record
   */
  record HandBack(List<Item> activations, String reason) implements PilotMessage {

    public HandBack {
      activations = activations == null ? List.of() : List.copyOf(activations);
    }

    /** One handed-back activation and whether the pilot's runtime had begun running it. */
    public record Item(String activationId, boolean started) {
      public Item {
        Objects.requireNonNull(activationId, "activationId");
      }
    }
  }

  /**
   * Minor 1: the answer to the balancer's {@code ping} (a health probe): the pilot serves its
   * connection.
   */
  record Pong(String nonce) implements PilotMessage {}

  /** Last message before the pilot closes the connection. */
  record Leaving(String reason) implements PilotMessage {}
}
