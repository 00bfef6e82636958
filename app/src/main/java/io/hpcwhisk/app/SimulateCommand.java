package io.hpcwhisk.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code hpc-whisk simulate}: trace-driven replays of harvesting (see {@code
 * docs/simulator-guide.md}).
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Replay real cluster traces with the HPC-Whisk harvesting model.",
      "Data: the HPC-Whisk SC22 artifact's idle-node log of Cyfronet Prometheus (shared/traces)."
    },
    subcommands = {
      SimulateReplayCommand.class,
      SimulateCompareCommand.class,
      SimulateBenchCommand.class,
      SimulateScheduleCommand.class
    })
final class SimulateCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
