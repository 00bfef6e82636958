package io.hpcwhisk.app;

import io.hpcwhisk.balancer.pilots.PilotCredentials;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints a job-scoped pilot credential made with the server's secret (for starting pilots by hand). */
@Command(
    name = "pilot-token",
    mixinStandardHelpOptions = true,
    description = {
      "Print a credential for one pilot job, made with the secret in the server's data directory.",
      "With --job: valid only for the pilot of that Slurm job. Without: a submission token to pass with",
      "sbatch --export (HPC_WHISK_PILOT_TOKEN); the first pilot that registers with it binds it to its job."
    })
final class PilotTokenCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--job", paramLabel = "ID", description = "Slurm job id the token is for (default: a submission token).")
  String job;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file; its store.data-dir is used. Default: the installation's config/hpc-whisk.yaml.")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "The server's data directory (overrides the configuration; default ~/.hpc-whisk/data).")
  String dataDir;

  @Override
  public Integer call() {
    Path data = ServerCommand.effectiveConfig(config, null, null, dataDir, null, null).store().dataPath();
    PilotCredentials credentials = PilotCredentials.inDataDir(data);
    spec.commandLine().getOut().println(job == null ? credentials.forSubmission() : credentials.forJob(job));
    return 0;
  }
}
