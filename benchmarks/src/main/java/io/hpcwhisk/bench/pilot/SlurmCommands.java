package io.hpcwhisk.bench.pilot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Slurm's command-line tools for the benchmarks, pointed at one cluster's {@code slurm.conf}. */
final class SlurmCommands {

  private final Optional<Path> slurmConf;

  SlurmCommands(Optional<Path> slurmConf) {
    this.slurmConf = slurmConf;
  }

  /** Runs a command and answers what it printed (stdout and stderr), whatever its exit code. */
  String run(String... command) throws IOException, InterruptedException {
    return start(List.of(command), Map.of()).text();
  }

  /**
   * {@code sbatch --parsable ARGS} with {@code env} added to the job's environment; answers the job
   * id.
   */
  String sbatch(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("sbatch", "--parsable"));
    command.addAll(List.of(args));
    Output result = start(command, env);
    if (!result.ok()) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed: " + result.text().strip());
    }
    return result.text().strip().split(";")[0];
  }

  /**
   * What a command printed (stdout and stderr), and whether it ended with exit code 0 within 30 s.
   */
  private record Output(String text, boolean ok) {}

  private Output start(List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    slurmConf.ifPresent(conf -> builder.environment().put("SLURM_CONF", conf.toString()));
    builder.environment().putAll(env);
    Process process = builder.start();
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean ended = process.waitFor(30, TimeUnit.SECONDS);
    return new Output(text, ended && process.exitValue() == 0);
  }

  /** True once the job has left the queue (or Slurm no longer knows it). */
  boolean gone(String jobId) throws IOException, InterruptedException {
    return run("squeue", "-h", "-j", jobId, "-o", "%T").isBlank();
  }

  /** Waits up to a minute for the job to leave the queue. */
  void awaitGone(String jobId) throws IOException, InterruptedException {
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!gone(jobId) && System.nanoTime() < limit) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
