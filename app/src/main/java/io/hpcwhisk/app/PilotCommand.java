package io.hpcwhisk.app;

import io.hpcwhisk.pilot.PilotMain;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hpc-whisk pilot}: the invoker a pilot job runs on its compute node (see
 * config/pilot.sbatch).
 */
@Command(
    name = "pilot",
    mixinStandardHelpOptions = true,
    description = {
      "Run the invoker pilot inside a Slurm job: register with the balancer, run OpenWhisk actions"
          + " in warm",
      "node/python3/java/native runtimes, heartbeat, and drain on SIGTERM or ahead of the job's"
          + " end.",
      "Identity (job id, node, CPUs, memory, deadline) comes from Slurm's environment and"
          + " scontrol.",
      "The credential comes from the file HPC_WHISK_PILOT_TOKEN_FILE (or --token-file) names; the"
          + " pilot reads",
      "and deletes it at start. It is never taken from the command line or the environment.",
      "Exit codes: 0 drained and left, 3 balancer unreachable for --give-up-after, 4 registration"
          + " refused,",
      "5 the wss:// balancer's certificate failed verification (--ca-file)."
    })
final class PilotCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      description = "hpc-whisk.yaml whose pilot: section to read (default: none).")
  Path config;

  @Option(
      names = "--balancer",
      description =
          "Balancer WebSocket URL, ws://HOST:PORT/pilot/v1 or wss://HOST:PORT/pilot/v1 (default:"
              + " $HPC_WHISK_BALANCER_URL).")
  String balancer;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description =
          "CA certificate(s) a wss:// balancer's certificate must chain to, or 'system' for the"
              + " JVM's trust store (default: $HPC_WHISK_BALANCER_CA_FILE). The pilot refuses (exit"
              + " 5) a certificate it cannot verify: unknown CA, expired, or not naming the URL's"
              + " host.")
  String caFile;

  @Option(
      names = "--token-file",
      description =
          "File holding the job's credential, deleted once read (default:"
              + " $HPC_WHISK_PILOT_TOKEN_FILE).")
  Path tokenFile;

  @Option(
      names = "--memory-mb",
      description =
          "Memory for actions in MB (default: the job's memory, SLURM_MEM_PER_NODE or scontrol).")
  Integer memoryMb;

  @Option(
      names = "--grace",
      description =
          "Slurm GraceTime of the pilot partition: SIGTERM to SIGKILL (default: 10s or"
              + " $HPC_WHISK_GRACE).")
  String grace;

  @Option(
      names = "--drain-lead",
      description = "Drain this long before the job's end (default: 15s).")
  String drainLead;

  @Option(
      names = "--give-up-after",
      description = "Exit when the balancer stays unreachable this long (default: 60s).")
  String giveUpAfter;

  @Option(
      names = "--work-dir",
      description = "Directory for runtime files (default: $TMPDIR/hpc-whisk-pilot-JOBID-PID).")
  Path workDir;

  @Option(
      names = "--sandbox",
      description =
          "Run actions in bubblewrap: auto, off, bwrap (default: auto)."
              + " Without a working sandbox the pilot exits unless --unsandboxed-namespace is set.")
  String sandbox;

  @Option(
      names = "--unsandboxed-namespace",
      paramLabel = "NAME",
      description =
          "Single-tenant opt-out: without a working sandbox, run only this namespace's actions"
              + " (unsandboxed; other namespaces get a whisk error).")
  String unsandboxedNamespace;

  @Override
  public Integer call() {
    Map<String, String> values = new HashMap<>();
    put(values, "balancer-url", balancer);
    put(values, "token-file", tokenFile);
    put(values, "ca-file", caFile);
    put(values, "memory-mb", memoryMb);
    put(values, "grace", grace);
    put(values, "drain-lead", drainLead);
    put(values, "give-up-after", giveUpAfter);
    put(values, "work-dir", workDir);
    put(values, "sandbox", sandbox);
    put(values, "unsandboxed-namespace", unsandboxedNamespace);
    return PilotMain.run(
        new PilotMain.Overrides(Optional.ofNullable(config), values),
        System.getenv(),
        VersionCommand.hpcWhiskVersion());
  }

  private static void put(Map<String, String> values, String key, Object value) {
    if (value != null) {
      values.put(key, value.toString());
    }
  }
}
