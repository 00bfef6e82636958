package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.core.harvest.Intent;
import java.util.List;

/**
 * A short, bounded label for an intent's reason, for metric tags (the reason text itself carries numbers and
 * node names). Submissions are {@code targeted} or {@code untargeted}; cancellations are classified by what the
 * reason says.
 */
final class ReasonKind {

  /** Every kind {@link #of} gives a submission. */
  static final List<String> SUBMISSIONS = List.of("targeted", "untargeted");
  /** Every kind {@link #of} gives a cancellation. */
  static final List<String> CANCELS = List.of("preempting", "off-shape", "over-bound", "window-gone", "surplus",
      "other");

  private ReasonKind() {}

  static String of(Intent intent) {
    if (intent instanceof Intent.SubmitPilot submit) {
      return submit.shape().targeted() ? "targeted" : "untargeted";
    }
    String r = intent.reason();
    if (r.startsWith("controller: Slurm is preempting")) {
      return "preempting";
    }
    if (r.contains("not on the ladder") || r.contains("not the var shape")) {
      return "off-shape";
    }
    if (r.contains("exceed max-pending")) {
      return "over-bound";
    }
    if (r.contains("target node") || r.contains("window on")) {
      return "window-gone";
    }
    if (r.contains("pool pilots pending") || r.contains("pending, keep") || r.contains("pending of")) {
      return "surplus";
    }
    return "other";
  }
}
