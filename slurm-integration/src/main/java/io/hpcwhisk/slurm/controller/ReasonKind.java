package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.core.harvest.Intent;
import java.util.Arrays;
import java.util.List;

/**
 * A short, bounded label for an intent, for metric tags (the reason text itself carries numbers and
 * node names): submissions are {@code targeted} or {@code untargeted}; a cancellation is labelled
 * by its {@link Intent.Cause}.
 */
final class ReasonKind {

  /** Every kind {@link #of} gives a submission. */
  static final List<String> SUBMISSIONS = List.of("targeted", "untargeted");

  /** Every kind {@link #of} gives a cancellation. */
  static final List<String> CANCELS =
      Arrays.stream(Intent.Cause.values()).map(Intent.Cause::label).toList();

  private ReasonKind() {}

  static String of(Intent intent) {
    if (intent instanceof Intent.SubmitPilot submit) {
      return submit.shape().targeted() ? "targeted" : "untargeted";
    }
    return ((Intent.CancelPilot) intent).cause().label();
  }
}
