package io.hpcwhisk.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.localcluster.CommandResult;
import io.hpcwhisk.localcluster.Commands;
import io.hpcwhisk.localcluster.DebianRootfs;
import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.Mounts;
import io.hpcwhisk.localcluster.SlurmInstallation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * The Slurm 24.11 local cluster itself (its own one-node clusters, not the shared
 * {@code @SlurmTest} one): it runs 24.11 from the Debian 13 root, leaves no mount and no process
 * behind after {@code down} or a failed {@code up}, and an ordinary local user can neither use its
 * clients nor change its root.
 */
@Tag("slurm")
class ChrootSlurmClusterIT {

  private static final PrintStream OUT = System.out;
  private static SlurmInstallation slurm24;

  @BeforeAll
  static void needsTheRoot() {
    slurm24 = SlurmInstallation.forVersion("24.11");
    Optional<String> missing = slurm24.missing();
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    if (missing.isPresent()) {
      if (!ci) {
        throw new TestAbortedException(missing.get());
      }
      slurm24.ensureInstalled(
          true, OUT); // CI builds the root once; a failure to build fails the test
    }
    if (slurm24.missing().isPresent()) {
      throw new ExtensionConfigurationException(slurm24.missing().get());
    }
  }

  private static LocalClusterSpec oneNode(Path dir) {
    return new LocalClusterSpec(dir, 1, 1, 500, 5, OptionalInt.empty());
  }

  @Test
  void itRunsSlurm2411InTheRootAndDownLeavesNoMountAndNoProcess(@TempDir Path dir)
      throws Exception {
    LocalCluster cluster = new LocalCluster(dir, slurm24);
    try {
      cluster.up(oneNode(dir), false, OUT);
      assertThat(cluster.slurmVersion()).startsWith("slurm-wlm 24.11.");
      assertThat(new LocalCluster(dir).slurm().version())
          .as("recorded in the directory")
          .isEqualTo("24.11");
      assertThat(cluster.status()).contains("Slurm slurm-wlm 24.11.");
      assertThat(cluster.restUrl()).as("slurmrestd runs").isPresent();
      assertThat(cluster.status()).contains("REST: " + cluster.restUrl().get());
      long restd = Long.parseLong(Files.readString(dir.resolve("run/slurmrestd.pid")).strip());
      assertThat(ProcessHandle.of(restd).flatMap(p -> p.info().user()))
          .as("slurmrestd runs unprivileged")
          .contains("nobody");
      long holder = holderPid(dir);
      assertThat(Mounts.under(dir)).as("no mount in the host's table").isEmpty();
      assertThat(Files.readString(Path.of("/proc", Long.toString(holder), "mountinfo")))
          .as("the root is mounted in the cluster's own namespace")
          .contains(dir.resolve("rootfs").toString());

      Path out = dir.resolve("job.out");
      String job =
          cluster
              .run(
                  List.of(
                      "sbatch",
                      "--parsable",
                      "-o",
                      out.toString(),
                      "--wrap",
                      "cat /etc/debian_version; java -version 2>&1 | head -1; python3 --version;"
                          + " command -v python3"))
              .orThrow()
              .stdout()
              .strip();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  cluster.run(List.of("squeue", "-h", "-j", job)).stdout().isBlank()
                      && Files.exists(out)
                      && Files.readString(out).contains("python3"));
      assertThat(Files.readString(out))
          .as("the job ran in the Debian 13 root, on its Java 21 and python")
          .startsWith("13.")
          .contains("openjdk version \"21.")
          .contains("Python 3.13")
          .contains("/usr/bin/python3");
    } finally {
      cluster.down(OUT);
    }
    assertNothingLeft(dir);
    assertThat(cluster.restUrl()).as("down stopped slurmrestd").isEmpty();
    CommandResult after =
        cluster
            .slurm()
            .clientBinDir(dir)
            .map(bin -> run(bin.resolve("squeue").toString()))
            .orElseThrow();
    assertThat(after.exitCode()).isNotZero();
    assertThat(after.stderr()).contains("is not running");
  }

  @Test
  void aFailedUpLeavesNoMountAndNoProcess(@TempDir Path dir) throws Exception {
    Files.createDirectories(
        dir.resolve("cgroup.conf")); // writing cgroup.conf fails after the namespace is up
    LocalCluster cluster = new LocalCluster(dir, slurm24);

    assertThatThrownBy(() -> cluster.up(oneNode(dir), false, OUT))
        .hasMessageContaining("cgroup.conf");

    assertNothingLeft(dir);
  }

  @Test
  void anOrdinaryUserCanNeitherUseTheClientsNorChangeTheRoot(@TempDir Path dir) throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    LocalCluster cluster = new LocalCluster(dir, slurm24);
    try {
      cluster.up(oneNode(dir), false, OUT);
      Path sbatch = dir.resolve("bin/sbatch");
      var submit =
          attacker.run(
              Duration.ofSeconds(30),
              "/usr/bin/env",
              "SLURM_CONF=" + cluster.conf(),
              sbatch.toString(),
              "--wrap",
              "id");
      assertThat(submit.exitCode()).as("%s", submit.all()).isNotZero();
      assertThat(submit.stderr()).as("the wrapper says why").contains("run chrooted and need root");
      var enter =
          attacker.run(
              Duration.ofSeconds(10),
              "nsenter",
              "-t",
              Long.toString(holderPid(dir)),
              "-m",
              "-r",
              "/bin/true");
      assertThat(enter.exitCode()).as("%s", enter.all()).isNotZero();
      assertThat(enter.stderr())
          .as("the kernel refuses an ordinary user the namespace")
          .contains("Permission denied");
      DebianRootfs rootfs = DebianRootfs.configured();
      for (Path target :
          List.of(
              sbatch,
              rootfs.root().resolve("usr/sbin"),
              rootfs.cache(),
              dir.resolve("rootfs-upper"))) {
        var write =
            attacker.shell(
                Duration.ofSeconds(10),
                "touch '" + target + "/x' 2>&1 || echo > '" + target + "' 2>&1");
        assertThat(write.exitCode()).as("write into %s: %s", target, write.all()).isNotZero();
      }
      assertThat(rootfs.verify()).as("the cache still passes its check").isEmpty();
      assertThat(cluster.run(List.of("squeue", "-h")).stdout())
          .as("nothing was submitted")
          .isBlank();
    } finally {
      cluster.down(OUT);
    }
    assertNothingLeft(dir);
  }

  private static long holderPid(Path dir) throws IOException {
    return Long.parseLong(Files.readString(dir.resolve("run/rootfs-namespace.pid")).strip());
  }

  private static void assertNothingLeft(Path dir) throws IOException {
    assertThat(Mounts.under(dir)).as("mounts under %s", dir).isEmpty();
    Path pidFile = dir.resolve("run/rootfs-namespace.pid");
    if (Files.exists(pidFile)) {
      long pid = holderPid(dir);
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
          .as("namespace holder %s", pid)
          .isEmpty();
    }
    // no process anywhere still sees the cluster's root mounted (its namespace is gone with its
    // last process)
    try (var procs = Files.list(Path.of("/proc"))) {
      List<String> holders =
          procs
              .filter(p -> p.getFileName().toString().matches("\\d+"))
              .filter(
                  p -> {
                    try {
                      return Files.readString(p.resolve("mountinfo"))
                          .contains(dir.resolve("rootfs").toString());
                    } catch (IOException e) {
                      return false; // ended meanwhile
                    }
                  })
              .map(p -> p.getFileName().toString())
              .toList();
      assertThat(holders)
          .as("processes whose namespace mounts %s", dir.resolve("rootfs"))
          .isEmpty();
    }
  }

  private static CommandResult run(String... command) {
    return Commands.run(List.of(command), Map.of(), Duration.ofSeconds(10));
  }
}
