package io.hpcwhisk.app;

import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.core.time.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Writes a job-scoped pilot credential made with the server's secret (for starting pilots by hand).
 */
@Command(
    name = "pilot-token",
    mixinStandardHelpOptions = true,
    description = {
      "Write a credential for the pilot of one Slurm job, made with the secret in the server's data"
          + " directory,",
      "to a new file only you can read (mode 600). Valid for that job id only, until --valid-for"
          + " has passed,",
      "and only while Slurm shows the job RUNNING in the harvest partition as the pilot user."
          + " Submit the job",
      "held, write the token, pass the file's path, release it:",
      "  id=$(sbatch --parsable --hold"
          + " --export=ALL,HPC_WHISK_PILOT_TOKEN_FILE=$HOME/.hpc-whisk/t.token ...)",
      "  hpc-whisk pilot-token --job $id --out $HOME/.hpc-whisk/t.token && scontrol release $id",
      "The pilot deletes the file after reading it. The file must be on a file system the node"
          + " shares."
    })
final class PilotTokenCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--job",
      required = true,
      paramLabel = "ID",
      description = "Slurm job id the token is for.")
  String job;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description =
          "New file to write the token to (mode 600; an existing file is not overwritten).")
  Path out;

  @Option(
      names = "--valid-for",
      paramLabel = "DURATION",
      description = "How long the token is valid, e.g. 90m, 12h (default: ${DEFAULT-VALUE}).",
      defaultValue = "24h")
  String validFor;

  @Mixin DataDirMixin where;

  @Override
  public Integer call() throws IOException {
    Duration valid = Durations.parse(validFor);
    if (valid.isNegative() || valid.isZero()) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--valid-for must be positive, got '" + validFor + "'");
    }
    PilotCredentials credentials = PilotCredentials.inDataDir(where.dataPath());
    Instant until = Instant.now().plus(valid);
    String token = credentials.forJob(job, until);
    Files.createFile(
        out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(out, token + "\n");
    spec.commandLine()
        .getOut()
        .println("wrote the credential for job " + job + " (valid until " + until + ") to " + out);
    return 0;
  }
}
