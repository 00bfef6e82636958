package io.hpcwhisk.localcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cached root file system is used only when it checks out: a cache another user could have
 * changed, an interrupted build, or packages that differ from the manifest are refused, each with
 * the reason.
 */
class DebianRootfsTest {

  @TempDir Path dir;
  DebianRootfs rootfs;

  @BeforeEach
  void aSealedFakeRoot() throws IOException {
    if ("true".equals(System.getenv("CI"))) {
      // .ci/run runs as root on Debian: skipping there would hide the tampering checks
      assertThat(
              System.getProperty("user.name").equals("root")
                  && Commands.locate("dpkg-query").isPresent())
          .as("CI runs these tests as root on Debian (dpkg-query)")
          .isTrue();
    }
    assumeThat(System.getProperty("user.name"))
        .as("the ownership checks need files owned by root")
        .isEqualTo("root");
    assumeThat(Commands.locate("dpkg-query")).as("dpkg-query (Debian)").isPresent();
    Path cache = dir.resolve("slurm-24.11");
    rootfs = new DebianRootfs(cache);
    Files.createDirectories(cache.resolve("root/var/lib/dpkg/info"));
    StringBuilder status = new StringBuilder();
    for (String p : DebianRootfs.PACKAGES) {
      status
          .append("Package: ")
          .append(p)
          .append("\nStatus: install ok installed\nArchitecture: amd64\nVersion: ")
          .append(p.startsWith("slurm") ? "24.11.5-4" : "1.0-1")
          .append("\nMaintainer: x\nDescription: x\n\n");
    }
    Files.writeString(cache.resolve("root/var/lib/dpkg/status"), status);
    for (String program : DebianRootfs.PROGRAMS) {
      Path file = rootfs.inRoot(program);
      Files.createDirectories(file.getParent());
      Files.writeString(file, "#!/bin/sh\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.createDirectories(cache.resolve("root/etc"));
    try (var all = Files.walk(cache)) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rwxr-xr-x"));
      }
    }
    rootfs.seal();
  }

  @Test
  void aSealedRootOwnedByRootPasses() {
    assertThat(rootfs.verify()).isEmpty();
    assertThat(rootfs.slurmPackageVersion()).isEqualTo("24.11.5-4");
  }

  @Test
  void anInterruptedBuildIsRefused() throws IOException {
    Files.delete(rootfs.cache().resolve("complete"));
    assertThat(rootfs.verify())
        .hasValueSatisfying(why -> assertThat(why).contains("no complete marker"));
  }

  @Test
  void aChangedManifestIsRefused() throws IOException {
    Path manifest = rootfs.cache().resolve("manifest");
    Files.writeString(manifest, Files.readString(manifest).replace("24.11.5-4", "24.11.6-1"));
    assertThat(rootfs.verify())
        .hasValueSatisfying(why -> assertThat(why).contains("does not match its manifest"));
  }

  @Test
  void packagesChangedInsideTheRootAreRefused() throws IOException {
    Path status = rootfs.root().resolve("var/lib/dpkg/status");
    Files.writeString(
        status, Files.readString(status).replaceFirst("Version: 1.0-1", "Version: 6.6.6-evil"));
    assertThat(rootfs.verify())
        .hasValueSatisfying(
            why -> assertThat(why).contains("differ from its manifest").contains("6.6.6-evil"));
  }

  @Test
  void aProgramWritableByOthersIsRefused() throws IOException {
    Path slurmd = rootfs.inRoot("/usr/sbin/slurmd");
    Files.setPosixFilePermissions(slurmd, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThat(rootfs.verify())
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .contains(slurmd.toString())
                    .contains("writable by group or others"));
  }

  @Test
  void aRootDirectoryOwnedByAnotherUserIsRefused() throws IOException {
    UserPrincipal nobody =
        dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(rootfs.root().resolve("usr/sbin"), nobody);
    assertThat(rootfs.verify())
        .hasValueSatisfying(why -> assertThat(why).contains("usr/sbin is owned by nobody"));
  }

  @Test
  void anotherSlurmSeriesIsRefused() throws IOException {
    for (Path file : new Path[] {rootfs.root().resolve("var/lib/dpkg/status")}) {
      Files.writeString(file, Files.readString(file).replace("24.11.5-4", "25.05.1-1"));
    }
    rootfs.seal();
    assertThat(rootfs.verify())
        .hasValueSatisfying(why -> assertThat(why).contains("expected slurm-wlm 24.11.x"));
  }

  @Test
  void aMissingCacheSaysSo() {
    assertThat(new DebianRootfs(dir.resolve("none")).verify()).contains("it does not exist");
  }
}
