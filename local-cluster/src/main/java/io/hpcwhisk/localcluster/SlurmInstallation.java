package io.hpcwhisk.localcluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Which Slurm a local cluster runs and how its programs are started: {@code 22.05}, the host's
 * Debian 12 packages (the default), or {@code 24.11}, from a Debian 13 root file system ({@link
 * ChrootSlurm}).
 *
 * <p>Every Slurm or MUNGE program the cluster runs — daemons and clients alike — goes through
 * {@link #command}, so a 24.11 cluster is never talked to with 22.05 clients. Programs outside this
 * module reach the clients through {@link #clientBinDir}: empty for the host's Slurm (the PATH), a
 * directory of wrapper scripts ({@code DIR/bin/sbatch} …) for 24.11 — the directory the
 * controller's {@code slurm.bin-dir} setting takes.
 *
 * <p>The installation a cluster was started with is recorded in its directory ({@code
 * slurm.properties}), so {@code status} and {@code down} need no option to find it.
 */
public abstract class SlurmInstallation {

  /** The Slurm series a local cluster runs unless told otherwise. */
  public static final String DEFAULT_VERSION = "22.05";

  /** Every series {@link #forVersion} knows. */
  public static final List<String> VERSIONS = List.of("22.05", DebianRootfs.SLURM_SERIES);

  static final String RECORD = "slurm.properties";

  /** The installation for {@code version} ({@code 22.05} or {@code 24.11}). */
  public static SlurmInstallation forVersion(String version) {
    if (DEFAULT_VERSION.equals(version)) {
      return new HostSlurm();
    }
    if (DebianRootfs.SLURM_SERIES.equals(version)) {
      return new ChrootSlurm(DebianRootfs.configured());
    }
    throw new IllegalArgumentException(
        "--slurm " + version + " is not supported; expected one of " + String.join(", ", VERSIONS));
  }

  /** The installation recorded in a cluster directory, or the host's when none is recorded. */
  public static SlurmInstallation recorded(Path clusterDir) {
    Path file = clusterDir.resolve(RECORD);
    if (!Files.isRegularFile(file)) {
      return new HostSlurm();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new LocalClusterException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String version = p.getProperty("version", DEFAULT_VERSION);
    if (DebianRootfs.SLURM_SERIES.equals(version)) {
      return new ChrootSlurm(
          new DebianRootfs(
              Path.of(p.getProperty("rootfs", DebianRootfs.configured().cache().toString()))));
    }
    return forVersion(version);
  }

  /** The Slurm series, {@code 22.05} or {@code 24.11}. */
  public abstract String version();

  /**
   * Makes sure the programs are there (installing or building them when {@code allowInstall}), or
   * throws.
   */
  public abstract void ensureInstalled(boolean allowInstall, PrintStream out);

  /**
   * Whether the programs are there now, without installing anything: empty when they are, else why
   * not.
   */
  public abstract Optional<String> missing();

  /** Prepares {@code clusterDir} before any daemon starts (records this installation). */
  public void start(Path clusterDir, PrintStream out) {
    Properties p = new Properties();
    p.setProperty("version", version());
    record(p);
    try (var writer = Files.newBufferedWriter(clusterDir.resolve(RECORD))) {
      p.store(writer, "the Slurm this local cluster runs; written by hpc-whisk local-cluster up");
    } catch (IOException e) {
      throw new LocalClusterException(
          "cannot write " + clusterDir.resolve(RECORD) + ": " + e.getMessage(), e);
    }
  }

  void record(Properties p) {}

  /** Cleans up after every daemon stopped; answers how many helper processes it stopped. */
  public abstract int stop(Path clusterDir);

  /**
   * The command line that runs {@code program} (a Slurm or MUNGE program name) with {@code args}.
   */
  public abstract List<String> command(Path clusterDir, String program, List<String> args);

  /** Where the cluster's Slurm client commands are: empty for the PATH. */
  public abstract Optional<Path> clientBinDir(Path clusterDir);

  /** The Java the pilots of this cluster run on (a path valid where jobs run). */
  public abstract Path pilotJavaHome();

  /** Lines appended to {@code slurm.conf} (24.11: JWT for slurmrestd); none by default. */
  String slurmConfExtra(Path clusterDir) {
    return "";
  }

  /**
   * Starts the services beside the daemons (24.11: slurmrestd, with a fresh token file) and answers
   * the REST URL; none by default.
   */
  Optional<URI> startServices(Path clusterDir, LocalCluster cluster) {
    return Optional.empty();
  }

  /** The REST URL of the running slurmrestd, if this installation runs one. */
  Optional<URI> restUrl(Path clusterDir) {
    return Optional.empty();
  }

  /** Extra configuration files next to {@code slurm.conf} (name → content). */
  public Map<String, String> extraConfig() {
    return Map.of();
  }

  /** The Slurm 22.05 of the host's Debian packages. */
  static final class HostSlurm extends SlurmInstallation {
    @Override
    public String version() {
      return DEFAULT_VERSION;
    }

    @Override
    public void ensureInstalled(boolean allowInstall, PrintStream out) {
      SlurmPackages.ensureInstalled(allowInstall, out);
    }

    @Override
    public Optional<String> missing() {
      List<String> missing = SlurmPackages.missing();
      return missing.isEmpty()
          ? Optional.empty()
          : Optional.of(
              "Slurm/MUNGE programs not found ("
                  + String.join(", ", missing)
                  + "): install them with "
                  + "`apt-get install slurm-wlm munge`");
    }

    @Override
    public int stop(Path clusterDir) {
      return 0;
    }

    @Override
    public List<String> command(Path clusterDir, String program, List<String> args) {
      List<String> command = new ArrayList<>();
      command.add(
          Commands.locate(program)
              .map(Path::toString)
              .orElseThrow(
                  () ->
                      new LocalClusterException(
                          program + " is not installed (apt-get install slurm-wlm munge)")));
      command.addAll(args);
      return command;
    }

    @Override
    public Optional<Path> clientBinDir(Path clusterDir) {
      return Optional.empty();
    }

    @Override
    public Path pilotJavaHome() {
      return Path.of(System.getProperty("java.home"));
    }
  }
}
