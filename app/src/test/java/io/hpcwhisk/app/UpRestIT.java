package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hpcwhisk.localcluster.LocalCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hpc-whisk up --slurm 24.11 --rest}: the server's controller reads Slurm and submits its
 * pilots through the cluster's slurmrestd with the cluster's JWT token file, the system goes live
 * (a pilot registered, a demo invoke answered), and the token stays in its 0600 file: never in the
 * output or the log. Runs in the Slurm 24.11 pass ({@code -Pslurm-24.11}, {@code
 * -Dhpcwhisk.slurm.version=24.11}).
 */
@Tag("slurm")
class UpRestIT {

  @TempDir Path dir;

  @Test
  void upWithRestGoesLiveWithPilotsSubmittedThroughSlurmrestd() throws Exception {
    assumeTrue(
        "24.11".equals(System.getProperty("hpcwhisk.slurm.version", "")),
        "slurmrestd runs in the Slurm 24.11 local cluster only; the slurm-24.11 pass runs this"
            + " test (-Pslurm-24.11)");
    // slurmrestd runs as an unprivileged account and must reach the cluster's slurm.conf in here
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    int port = SystemFixture.freePort();
    ProcessBuilder pb =
        new ProcessBuilder(
                SystemFixture.HOME.resolve("bin/hpc-whisk").toString(),
                "up",
                "--slurm",
                "24.11",
                "--rest",
                "--no-workload",
                "--once",
                "--dir",
                dir.toString(),
                "--port",
                Integer.toString(port),
                "--nodes",
                "2")
            .redirectErrorStream(true);
    pb.environment().put("HPC_WHISK_NO_BUILD", "1");
    Process up = pb.start();
    up.getOutputStream().close();
    String out = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(up.waitFor(10, TimeUnit.MINUTES)).as("up --once ended; output:%n%s", out).isTrue();
    assertThat(up.exitValue()).as("up --once reached the live state; output:%n%s", out).isZero();
    assertThat(out).contains("the controller reads Slurm through slurmrestd at http://");

    String log = Files.readString(dir.resolve("up.log"));
    assertThat(log).contains("reaching Slurm through slurmrestd at");
    assertThat(log).containsPattern("submitted pilot \\d+");

    Path token = new LocalCluster(dir.resolve("cluster")).restTokenFile();
    if (Files.exists(token)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token)))
          .isEqualTo("rw-------");
      String jwt = Files.readString(token).strip().replaceFirst("^SLURM_JWT=", "");
      assertThat(jwt).hasSizeGreaterThan(20);
      assertThat(out).doesNotContain(jwt);
      assertThat(log).doesNotContain(jwt);
    }
  }

  @Test
  void restWithoutSlurm2411IsRefusedNamingTheOption() throws Exception {
    Process up =
        new ProcessBuilder(
                SystemFixture.HOME.resolve("bin/hpc-whisk").toString(),
                "up",
                "--rest",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .start();
    up.getOutputStream().close();
    String out = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(up.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(up.exitValue()).as(out).isNotZero();
    assertThat(out).contains("--rest needs --slurm 24.11").doesNotContain("\tat ");
  }
}
