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

  /** Cancel one of our pilots. */
  record CancelPilot(JobId jobId, String reason) implements Intent {
    public CancelPilot {
      Objects.requireNonNull(jobId, "jobId");
      requireReason(reason);
    }

    @Override
    public String toString() {
      return "cancel " + jobId + ": " + reason;
    }
  }

  private static void requireReason(String reason) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("an intent needs a reason");
    }
  }
}
