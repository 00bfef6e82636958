package io.hpcwhisk.app;

import io.hpcwhisk.bench.pilot.PilotBenchmark;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hpc-whisk pilot-bench}: start-up, cold-start and warm-overhead figures of the pilot. */
@Command(
    name = "pilot-bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark the invoker pilot on this machine and print the figures:",
      " - start-up of real pilot jobs (config/pilot.sbatch) from the batch script's start to"
          + " registered,",
      "   against a balancer double (needs a running cluster: hpc-whisk local-cluster up);",
      " - preemption hand-over: how long a batch job waits for an idle pilot on its node to leave,"
          + " against the",
      "   node idle and a pilot run in the batch shell, and for idle pilots on several nodes"
          + " preempted together,",
      "   against those nodes idle (same cluster);",
      " - cold start per kind (nodejs, python, java, blackbox);",
      " - warm per-activation round trip of a no-op nodejs action."
    })
final class PilotBenchCommand implements Callable<Integer> {

  @Option(
      names = "--slurm-conf",
      description = "slurm.conf of the cluster to start pilots on (default: $SLURM_CONF).")
  Path slurmConf;

  @Option(
      names = "--starts",
      defaultValue = "20",
      description =
          "Pilot jobs to start one after the other; 0 skips the start-up part (default:"
              + " ${DEFAULT-VALUE}).")
  int starts;

  @Option(
      names = "--partition",
      defaultValue = "whisk",
      description = "Partition for the pilot jobs (default: ${DEFAULT-VALUE}).")
  String partition;

  @Option(
      names = "--preemptions",
      defaultValue = "3",
      description =
          "Rounds of the preemption hand-over (each: idle node, step pilot, batch-shell pilot; the"
              + " last waits the grace time); 0 skips it (default: ${DEFAULT-VALUE}).")
  int preemptions;

  @Option(
      names = "--together",
      defaultValue = "3",
      description =
          "Nodes of a batch job that preempts that many idle pilots at once, in each preemption"
              + " round (at most the partition's nodes); below 2 skips it (default:"
              + " ${DEFAULT-VALUE}).")
  int together;

  @Option(
      names = "--batch-partition",
      defaultValue = "batch",
      description = "Partition of the preempting batch jobs (default: ${DEFAULT-VALUE}).")
  String batchPartition;

  @Option(
      names = "--cold",
      defaultValue = "10",
      description = "Cold starts per kind (default: ${DEFAULT-VALUE}).")
  int cold;

  @Option(
      names = "--warm",
      defaultValue = "5000",
      description = "Warm activations measured (default: ${DEFAULT-VALUE}).")
  int warm;

  @Option(
      names = "--work-dir",
      defaultValue = "/tmp/hpc-whisk-pilot-bench",
      description = "Scratch directory (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    if (starts < 0 || preemptions < 0 || cold < 1 || warm < 1) {
      throw new IllegalArgumentException(
          "--starts and --preemptions must be >= 0, --cold and --warm >= 1; got "
              + starts
              + ", "
              + preemptions
              + ", "
              + cold
              + ", "
              + warm);
    }
    Path home =
        Path.of(Optional.ofNullable(System.getenv("HPC_WHISK_HOME")).orElse("."))
            .toAbsolutePath()
            .normalize();
    Optional<Path> conf =
        Optional.ofNullable(slurmConf)
            .or(
                () ->
                    Optional.ofNullable(System.getenv("SLURM_CONF"))
                        .filter(s -> !s.isBlank())
                        .map(Path::of));
    new PilotBenchmark(
            new PilotBenchmark.Options(
                conf,
                home.resolve("config/pilot.sbatch"),
                home,
                starts,
                partition,
                cold,
                warm,
                workDir,
                preemptions,
                batchPartition,
                together),
            System.out)
        .run();
    return 0;
  }
}
