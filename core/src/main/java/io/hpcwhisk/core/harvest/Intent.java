package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.cluster.JobId;
import java.util.Objects;

/** What a policy wants done; every intent says why. */
public sealed interface Intent permits Intent.SubmitPilot, Intent.CancelPilot {

  /** A human-readable reason, shown in logs, dry runs and metrics. */
  String reason();

  /** Submit one pilot of this shape. */
  record SubmitPilot(PilotShape shape, String reason) implements Intent {
    public SubmitPilot {
      Objects.requireNonNull(shape, "shape");
      requireReason(reason);
    }

    @Override
    public String toString() {
      return "submit " + shape + ": " + reason;
    }
  }

  /**
   * Cancel one of our pilots, for a cause (a bounded label, for metrics) and a reason (the details,
   * for people).
   */
  record CancelPilot(JobId jobId, Cause cause, String reason) implements Intent {
    public CancelPilot {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(cause, "cause");
      requireReason(reason);
    }

    @Override
    public String toString() {
      return "cancel " + jobId + ": " + reason;
    }
  }

  /** Why a pilot is cancelled, in a few words. */
  enum Cause {
    /**
     * Slurm is preempting it: cancelling ends the grace time at once (the controller's
     * expedite-preemption).
     */
    PREEMPTING("preempting"),
    /**
     * A pending pilot of a shape the policy no longer submits (not on the ladder, not the
     * configured shape).
     */
    OFF_SHAPE("off-shape"),
    /** More pending pilots than the policy's bound on pending pilots. */
    OVER_BOUND("over-bound"),
    /**
     * A targeted pilot whose node left the partition, is no longer idle or planned, is taken, or
     * whose window shrank.
     */
    WINDOW_GONE("window-gone"),
    /** More pending pilots of a kind than the policy keeps. */
    SURPLUS("surplus");

    private final String label;

    Cause(String label) {
      this.label = label;
    }

    /** The label used as a metric tag, e.g. {@code off-shape}. */
    public String label() {
      return label;
    }
  }

  private static void requireReason(String reason) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("an intent needs a reason");
    }
  }
}
