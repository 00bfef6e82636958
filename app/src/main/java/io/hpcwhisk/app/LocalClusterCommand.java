package io.hpcwhisk.app;

import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.SlurmInstallation;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hpc-whisk local-cluster up|status|down}: a real multi-node Slurm cluster on this machine.
 */
@Command(
    name = "local-cluster",
    mixinStandardHelpOptions = true,
    description = {
      "A real multi-node Slurm cluster on this machine (slurmctld, one slurmd per node, a private"
          + " munged),",
      "made from Debian's slurm-wlm and munge packages. Every file lives under --dir."
    },
    subcommands = {
      LocalClusterCommand.Up.class,
      LocalClusterCommand.Status.class,
      LocalClusterCommand.Down.class
    })
final class LocalClusterCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The directory option every verb shares. */
  static final class DirOption {
    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description =
            "Directory holding the cluster's configuration, state, logs and pid files "
                + "(default: $HPC_WHISK_LOCAL_CLUSTER_DIR or ~/.hpc-whisk/local-cluster).")
    Path dir;

    Path resolve() {
      return dir != null ? dir : LocalClusterSpec.defaultDir();
    }
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description = {
        "Start the cluster (or leave it running when it already runs with the same settings) and"
            + " wait",
        "until every node is idle. Partitions: batch (default, PriorityTier=10) and whisk"
            + " (preemptible,",
        "PriorityTier=1, PreemptMode=CANCEL, GraceTime). Installs slurm-wlm and munge with apt when"
            + " they",
        "are missing and this is Debian/Ubuntu run as root, unless --no-install is given."
      })
  static final class Up implements Callable<Integer> {
    @picocli.CommandLine.Mixin DirOption dir = new DirOption();

    @Option(
        names = "--nodes",
        paramLabel = "N",
        defaultValue = "" + LocalClusterSpec.DEFAULT_NODES,
        description = "Number of compute nodes, named n1..nN (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(
        names = "--cpus",
        paramLabel = "C",
        defaultValue = "" + LocalClusterSpec.DEFAULT_CPUS,
        description = "CPUs per node (default: ${DEFAULT-VALUE}).")
    int cpus;

    @Option(
        names = "--memory",
        paramLabel = "MB",
        defaultValue = "" + LocalClusterSpec.DEFAULT_MEMORY_MB,
        description = "Memory per node in MB (default: ${DEFAULT-VALUE}).")
    int memoryMb;

    @Option(
        names = "--grace-seconds",
        paramLabel = "G",
        defaultValue = "" + LocalClusterSpec.DEFAULT_GRACE_SECONDS,
        description =
            "GraceTime of the whisk partition: seconds between SIGTERM and kill on preemption "
                + "(default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(
        names = "--port-base",
        paramLabel = "P",
        description =
            "First port to use (slurmctld; nodes use P+1..P+N). Default: free ports chosen for"
                + " --dir.")
    Integer portBase;

    @Option(
        names = "--gpus",
        paramLabel = "N",
        defaultValue = "0",
        description =
            "Fake GPUs per node, declared as generic resources (GresTypes=gpu, Gres=gpu:N,"
                + " gres.conf with empty files DIR/gpu/nvidia0..N-1), so jobs asking --gres=gpu:K"
                + " get CUDA_VISIBLE_DEVICES (default: ${DEFAULT-VALUE}, none).")
    int gpus;

    @Option(
        names = "--no-install",
        description = "Never install missing Slurm/MUNGE packages; fail instead.")
    boolean noInstall;

    @Option(
        names = "--isolated-nodes",
        description = {
          "Run each slurmd in its own network namespace (ip netns, needs root) on a private /24"
              + " that no interface",
          "of this machine uses: a bridge with the host side at .1 (slurmctld; the server binds it"
              + " for pilots),",
          "node nK at .(10+K), no other route. down (and a failed up) removes the namespaces, links"
              + " and bridge."
        })
    boolean isolatedNodes;

    @Option(
        names = "--slurm",
        paramLabel = "VERSION",
        defaultValue = SlurmInstallation.DEFAULT_VERSION,
        description = {
          "Slurm series: 22.05 (default, the host's Debian 12 packages) or 24.11 (chrooted into a",
          "Debian 13 root file system, built once with debootstrap into"
              + " /var/cache/hpc-whisk/slurm-24.11",
          "unless --no-install; its clients are DIR/bin/sbatch ... ; needs root)."
        })
    String slurmVersion;

    @Override
    public Integer call() {
      LocalClusterSpec spec =
          new LocalClusterSpec(
              dir.resolve(),
              nodes,
              cpus,
              memoryMb,
              graceSeconds,
              portBase == null ? OptionalInt.empty() : OptionalInt.of(portBase),
              gpus);
      LocalCluster cluster =
          new LocalCluster(spec.dir(), SlurmInstallation.forVersion(slurmVersion));
      boolean started = cluster.up(spec, !noInstall, System.out, isolatedNodes);
      LocalClusterSpec running = cluster.recordedSpec().orElse(spec);
      System.out.println(started ? "Started." : "Already running; left as it is.");
      System.out.print(cluster.usage(running));
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Print the cluster's nodes, partitions and queue (exit code 3 when it is not running).")
  static final class Status implements Callable<Integer> {
    @picocli.CommandLine.Mixin DirOption dir = new DirOption();

    @Override
    public Integer call() {
      LocalCluster cluster = new LocalCluster(dir.resolve());
      System.out.print(cluster.status());
      System.out.println();
      return cluster.isRunning() ? 0 : 3;
    }
  }

  @Command(
      name = "down",
      mixinStandardHelpOptions = true,
      description =
          "Cancel every job and stop exactly the daemons this directory's pid files name. "
              + "Configuration, state and logs stay in --dir.")
  static final class Down implements Callable<Integer> {
    @picocli.CommandLine.Mixin DirOption dir = new DirOption();

    @Override
    public Integer call() {
      LocalCluster cluster = new LocalCluster(dir.resolve());
      int stopped = cluster.down(System.out);
      System.out.println(
          stopped == 0
              ? "No daemons were running in " + cluster.dir() + "."
              : "Stopped " + stopped + " daemons of the cluster in " + cluster.dir() + ".");
      return 0;
    }
  }
}
