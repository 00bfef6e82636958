package io.hpcwhisk.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hpc-whisk} command. Each subcommand is a small class in this package that parses its
 * options and hands over to the module that does the work.
 */
@Command(
    name = "hpc-whisk",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Serverless functions in the idle gaps of a Slurm cluster.",
    subcommands = {
      VersionCommand.class,
      UpCommand.class,
      ServerCommand.class,
      AdminCommand.class,
      LocalClusterCommand.class,
      SimulateCommand.class,
      PilotCommand.class,
      PilotBenchCommand.class,
      ControllerCommand.class,
      PilotTokenCommand.class,
      CommandLine.HelpCommand.class
    })
public final class HpcWhisk implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line with the settings every subcommand shares. */
  public static CommandLine commandLine() {
    return new CommandLine(new HpcWhisk())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(new UserErrorHandler());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
