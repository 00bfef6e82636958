package io.hpcwhisk.app;

import io.hpcwhisk.balancer.pilots.PilotCredentials;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin DataDirMixin where;

  @Override
  public Integer call() {
    PilotCredentials credentials = PilotCredentials.inDataDir(where.dataPath());
    spec.commandLine().getOut().println(job == null ? credentials.forSubmission() : credentials.forJob(job));
    return 0;
  }
}
