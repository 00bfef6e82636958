package io.hpcwhisk.testkit;

import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.SlurmInstallation;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * Starts one local Slurm cluster (4 nodes, 2 CPUs, 2000 MB, grace 10 s) the first time a {@link
 * SlurmTest} class runs, shares it with every later one in the same JVM, and stops it when the run
 * ends. Before each test every job is cancelled and the nodes are idle.
 *
 * <p>Without the Slurm programs the tests are skipped with a message saying how to enable them,
 * except under {@code CI=true}, where a missing Slurm fails the tests: CI must really run them. The
 * directory is a fresh temporary one unless {@code -Dhpcwhisk.slurm.dir=DIR} names one.
 *
 * <p>The Slurm series is {@code -Dhpcwhisk.slurm.version} (default 22.05, the host's packages;
 * {@code 24.11}: the chrooted Debian 13 root, see {@link SlurmInstallation}). Under {@code CI=true}
 * a missing 24.11 root file system is built (debootstrap, once, cached); elsewhere its absence
 * skips the tests with how to build it.
 */
public final class LocalSlurmExtension
    implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LocalSlurmExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    cluster(context).cluster.reset();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SlurmEnv.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster(context).env;
  }

  private static Running cluster(ExtensionContext context) {
    SlurmInstallation installation = installation();
    Optional<String> missing = installation.missing();
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    boolean buildable = ci && !SlurmInstallation.DEFAULT_VERSION.equals(installation.version());
    if (missing.isPresent() && !buildable) {
      String message =
          missing.get()
              + " (Slurm "
              + installation.version()
              + "; or run .ci/run as root) to run the "
              + "tests tagged 'slurm'";
      if (ci) {
        throw new ExtensionConfigurationException(
            message + " -- CI=true, so a missing Slurm is a failure");
      }
      throw new TestAbortedException(message);
    }
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            Running.class, k -> Running.start(installation, buildable), Running.class);
  }

  /** The Slurm the tests run on: {@code -Dhpcwhisk.slurm.version}, default 22.05. */
  static SlurmInstallation installation() {
    String version = System.getProperty("hpcwhisk.slurm.version", "");
    return SlurmInstallation.forVersion(
        version.isBlank() ? SlurmInstallation.DEFAULT_VERSION : version.strip());
  }

  /** The shared cluster; closed by JUnit when the root context ends, i.e. after the last test. */
  static final class Running implements AutoCloseable {
    final LocalCluster cluster;
    final SlurmEnv env;

    private Running(LocalCluster cluster, SlurmEnv env) {
      this.cluster = cluster;
      this.env = env;
    }

    static Running start(SlurmInstallation installation, boolean allowBuild) {
      Path dir = directory();
      LocalClusterSpec spec = LocalClusterSpec.defaults(dir);
      LocalCluster cluster = new LocalCluster(dir, installation);
      PrintStream out = System.out;
      long started = System.nanoTime();
      cluster.up(spec, allowBuild, out);
      out.printf(
          "[slurm-it] local cluster (%s) up in %s (%d nodes) in %.1f s; export SLURM_CONF=%s%n",
          cluster.slurmVersion(),
          dir,
          spec.nodes(),
          (System.nanoTime() - started) / 1e9,
          cluster.conf());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> cluster.down(System.out)));
      List<String> nodes = IntStream.rangeClosed(1, spec.nodes()).mapToObj(i -> "n" + i).toList();
      return new Running(cluster, new SlurmEnv(cluster, nodes, spec.graceSeconds()));
    }

    private static Path directory() {
      String configured = System.getProperty("hpcwhisk.slurm.dir");
      try {
        return configured != null
            ? Files.createDirectories(Path.of(configured))
            : Files.createTempDirectory("hpcwhisk-slurm-it-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the test cluster's directory", e);
      }
    }

    @Override
    public void close() {
      int stopped = cluster.down(System.out);
      System.out.println(
          "[slurm-it] local cluster in " + cluster.dir() + " stopped (" + stopped + " daemons)");
    }
  }
}
