package io.hpcwhisk.app;

import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.report.ConsoleProgress;
import picocli.CommandLine.Option;

/**
 * The progress line of the long simulations ({@code @Mixin}): drawn on stderr, and only when stderr
 * is a terminal and {@code --quiet} is not given, so that logs and pipes get no carriage-return
 * noise.
 */
final class ProgressOptions {

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress line on stderr (it is also off when stderr is not a terminal).")
  boolean quiet;

  /** A progress line labelled {@code label}, or {@link Progress#NONE}. */
  Progress progress(String label) {
    return quiet || System.console() == null ? Progress.NONE : ConsoleProgress.onStderr(label);
  }
}
