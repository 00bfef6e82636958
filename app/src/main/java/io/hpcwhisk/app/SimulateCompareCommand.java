package io.hpcwhisk.app;

import io.hpcwhisk.core.harvest.HarvestPolicies;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.replay.Comparison;
import io.hpcwhisk.simulator.replay.ReplayMode;
import io.hpcwhisk.simulator.report.ReplayResult;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hpc-whisk simulate compare}: the paper's clairvoyant ladders and the online policies on
 * one log, as the Markdown table of {@code docs/simulator-guide.md}.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Compare the paper's ladders and the online policies on one log, as a Markdown table.",
      "Ladders A1, A2, A3, B, C1, C2 clairvoyant with 2 warm-up samples, then each policy at each"
          + " warm-up."
    })
final class SimulateCompareCommand implements Runnable {

  @Mixin IdleLogOptions input;

  @Mixin ProgressOptions progress;

  @Option(
      names = "--policies",
      split = ",",
      defaultValue = "fib,var,adaptive",
      description = "Online policies, comma-separated.")
  List<String> policies;

  @Option(
      names = "--warmup-seconds",
      split = ",",
      defaultValue = "20,1",
      description = "Online warm-ups in seconds, comma-separated.")
  List<Double> warmups;

  @Option(names = "--grace-seconds", defaultValue = "30", description = "Online: Slurm GraceTime.")
  double graceSeconds;

  @Override
  public void run() {
    for (String policy : policies) {
      if (!HarvestPolicies.NAMES.contains(policy)) {
        throw new IllegalArgumentException(
            "unknown harvest policy '" + policy + "'; expected some of " + HarvestPolicies.NAMES);
      }
    }
    List<ReplayMode> modes = Comparison.standardModes(policies, warmups, graceSeconds);
    List<ReplayResult> results =
        Comparison.run(
            input.idleLog,
            SampleWindow.all(),
            modes,
            input.seed,
            progress.progress("compare " + modes.size() + " replays"));
    System.out.print(Comparison.markdown(results));
  }
}
