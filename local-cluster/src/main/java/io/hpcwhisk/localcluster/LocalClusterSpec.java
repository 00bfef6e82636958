package io.hpcwhisk.localcluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The shape of a local cluster. Defaults: 4 nodes of 2 CPUs and 2000 MB, 10 s grace time, ports
 * chosen for the directory.
 *
 * @param dir the directory that holds every file of the cluster
 * @param nodes number of compute nodes, named n1..nN
 * @param cpus CPUs per node
 * @param memoryMb memory per node in MB
 * @param graceSeconds GraceTime of the preemptible {@code whisk} partition
 * @param portBase first port (slurmctld; nodes use the next N), or empty to pick free ports for the
 *     dir
 * @param gpus GPUs per node, declared as generic resources ({@code Gres=gpu:N}) backed by fake
 *     device files in the cluster directory (0: none, the default)
 */
public record LocalClusterSpec(
    Path dir, int nodes, int cpus, int memoryMb, int graceSeconds, OptionalInt portBase, int gpus) {

  /** A cluster without GPUs. */
  public LocalClusterSpec(
      Path dir, int nodes, int cpus, int memoryMb, int graceSeconds, OptionalInt portBase) {
    this(dir, nodes, cpus, memoryMb, graceSeconds, portBase, 0);
  }

  /** No local node needs more fake GPUs than this. */
  public static final int MAX_GPUS = 16;

  public static final int DEFAULT_NODES = 4;
  public static final int DEFAULT_CPUS = 2;
  public static final int DEFAULT_MEMORY_MB = 2000;
  public static final int DEFAULT_GRACE_SECONDS = 10;

  /** Nodes are started as separate slurmd processes; more than this would not fit one machine. */
  public static final int MAX_NODES = 64;

  public LocalClusterSpec {
    if (dir == null) {
      throw new IllegalArgumentException("--dir is required");
    }
    dir = dir.toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "--dir " + dir + " is a file; expected a directory (or a path to create)");
    }
    if (nodes < 1 || nodes > MAX_NODES) {
      throw new IllegalArgumentException(
          "--nodes " + nodes + " is out of range; expected 1.." + MAX_NODES);
    }
    if (cpus < 1) {
      throw new IllegalArgumentException(
          "--cpus " + cpus + " is out of range; expected at least 1");
    }
    if (memoryMb < 100) {
      throw new IllegalArgumentException(
          "--memory " + memoryMb + " MB is too small; expected at least 100 MB");
    }
    if (graceSeconds < 0 || graceSeconds > 3600) {
      throw new IllegalArgumentException(
          "--grace-seconds " + graceSeconds + " is out of range; expected 0..3600");
    }
    if (gpus < 0 || gpus > MAX_GPUS) {
      throw new IllegalArgumentException(
          "--gpus " + gpus + " is out of range; expected 0.." + MAX_GPUS + " GPUs per node");
    }
    portBase = portBase == null ? OptionalInt.empty() : portBase;
    if (portBase.isPresent()
        && (portBase.getAsInt() < 1024 || portBase.getAsInt() + nodes > 65535)) {
      throw new IllegalArgumentException(
          "--port-base "
              + portBase.getAsInt()
              + " is out of range; expected 1024.."
              + (65535 - nodes));
    }
  }

  /** A spec with every default but the directory. */
  public static LocalClusterSpec defaults(Path dir) {
    return new LocalClusterSpec(
        dir,
        DEFAULT_NODES,
        DEFAULT_CPUS,
        DEFAULT_MEMORY_MB,
        DEFAULT_GRACE_SECONDS,
        OptionalInt.empty());
  }

  /**
   * The default directory: {@code $HPC_WHISK_LOCAL_CLUSTER_DIR}, else {@code
   * ~/.hpc-whisk/local-cluster}.
   */
  public static Path defaultDir() {
    String env = System.getenv("HPC_WHISK_LOCAL_CLUSTER_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".hpc-whisk", "local-cluster");
  }

  public LocalClusterSpec withNodes(int n) {
    return new LocalClusterSpec(dir, n, cpus, memoryMb, graceSeconds, portBase, gpus);
  }

  /** The same cluster with {@code n} fake GPUs per node. */
  public LocalClusterSpec withGpus(int n) {
    return new LocalClusterSpec(dir, nodes, cpus, memoryMb, graceSeconds, portBase, n);
  }
}
