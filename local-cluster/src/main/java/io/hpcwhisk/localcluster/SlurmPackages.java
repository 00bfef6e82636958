package io.hpcwhisk.localcluster;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Finds the Slurm and MUNGE programs a local cluster needs and, when allowed, installs Debian's
 * {@code slurm-wlm} and {@code munge} packages with apt.
 */
public final class SlurmPackages {

  /** The programs a local cluster runs. */
  public static final List<String> PROGRAMS =
      List.of(
          "slurmctld",
          "slurmd",
          "sinfo",
          "squeue",
          "sbatch",
          "scancel",
          "scontrol",
          "munged",
          "mungekey");

  private SlurmPackages() {}

  /** The programs of {@link #PROGRAMS} that are not installed. */
  public static List<String> missing() {
    return PROGRAMS.stream().filter(p -> Commands.locate(p).isEmpty()).toList();
  }

  /**
   * Makes sure the programs are there: returns at once when they are, installs them with apt when
   * {@code allowInstall} and this is a Debian-like system run by root, and throws otherwise.
   */
  public static void ensureInstalled(boolean allowInstall, PrintStream out) {
    List<String> missing = missing();
    if (missing.isEmpty()) {
      return;
    }
    String what = "Slurm/MUNGE programs not found: " + String.join(", ", missing);
    if (!allowInstall) {
      throw new LocalClusterException(
          what + "; install them with `apt-get install slurm-wlm munge` (--no-install was given)");
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    boolean apt = Files.isExecutable(Path.of("/usr/bin/apt-get"));
    if (!root || !apt) {
      throw new LocalClusterException(
          what
              + "; install Debian's slurm-wlm and munge packages (or your system's equivalent) as"
              + " root");
    }
    out.println(
        what
            + ". Installing Debian's slurm-wlm and munge with apt-get (use --no-install to refuse)"
            + " ...");
    Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
    Commands.run(List.of("apt-get", "update", "-q"), env, Duration.ofMinutes(5)).orThrow();
    Commands.run(
            List.of("apt-get", "install", "-y", "-q", "slurm-wlm", "munge"),
            env,
            Duration.ofMinutes(10))
        .orThrow();
    List<String> still = missing();
    if (!still.isEmpty()) {
      throw new LocalClusterException(
          "apt-get installed slurm-wlm and munge but these are still missing: "
              + String.join(", ", still));
    }
    out.println("Installed slurm-wlm and munge.");
  }
}
