package io.hpcwhisk.core.routing;

import java.util.Objects;

/** The router's answer: a pilot and why, or no pilot and why not. */
public sealed interface RoutingDecision {

  String reason();

  /** Send the activation to {@code pilotId}. */
  record Routed(String pilotId, String reason) implements RoutingDecision {
    public Routed {
      Objects.requireNonNull(pilotId, "pilotId");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** No pilot can take the activation now; {@code cause} says whether waiting can help. */
  record Refused(Cause cause, String reason) implements RoutingDecision {
    public Refused {
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Why an activation was refused; the label is what metrics use. */
  enum Cause {
    /** No pilot is registered at all. Queue until one comes. */
    NO_PILOTS("no_pilots"),
    /** Pilots exist but none is healthy and open for work. Queue. */
    NO_HEALTHY_PILOT("no_healthy_pilot"),
    /**
     * Every healthy pilot is single-tenant (unsandboxed) for another namespace. Queue: a pilot that
     * serves this namespace may come.
     */
    NOT_FOR_NAMESPACE("not_for_namespace"),
    /** No healthy pilot runs this kind. Queue: a pilot that does may come. */
    KIND_NOT_SUPPORTED("kind_not_supported"),
    /**
     * The action asks for GPUs and no healthy pilot for its kind holds any. Queue: a GPU pilot may
     * come (the harvest controller fills idle GPU nodes).
     */
    NO_GPU_PILOT("no_gpu_pilot"),
    /**
     * The action needs more memory, cores or GPUs than any healthy pilot has in total. Waiting does
     * not help.
     */
    TOO_LARGE("too_large"),
    /** Every suitable pilot is full. Queue until capacity frees up. */
    NO_CAPACITY("no_capacity"),
    /**
     * A long action (timeout above {@link Router#LATE_FALLBACK_LIMIT}) and no pilot with room for
     * it has that much time left in its Slurm job. Queue: a pilot with more time may come.
     */
    NO_TIME_LEFT("no_time_left");

    private final String label;

    Cause(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
