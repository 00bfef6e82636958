package io.hpcwhisk.localcluster;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Debian 13 (trixie) root file system with Slurm 24.11, built once with {@code debootstrap} into
 * a fresh build directory renamed into place only when complete, and cached; a cache is used only
 * when {@link #verify} passes (manifest of {@link #PACKAGES}, versions, programs, and owned by root
 * and writable by nobody else, since a cache another user could change would let that user run code
 * as root): docs/local-cluster.md, "The root file system".
 */
public final class DebianRootfs {

  /** The Debian release and the Slurm series it ships. */
  public static final String SUITE = "trixie";

  public static final String SLURM_SERIES = "24.11";

  /** Packages installed into the root file system (with their dependencies). */
  public static final List<String> PACKAGES =
      List.of(
          "slurm-wlm",
          "slurm-client",
          "slurmrestd",
          "slurm-wlm-jwt-plugin",
          "munge",
          "openjdk-21-jre-headless",
          "nodejs",
          "python3",
          "procps",
          "util-linux",
          "bubblewrap");

  /** Programs that must be in the root, as paths inside it. */
  static final List<String> PROGRAMS =
      List.of(
          "/usr/sbin/slurmctld",
          "/usr/sbin/slurmd",
          "/usr/sbin/slurmrestd",
          "/usr/lib/x86_64-linux-gnu/slurm-wlm/auth_jwt.so",
          "/usr/bin/sbatch",
          "/usr/bin/squeue",
          "/usr/bin/sinfo",
          "/usr/bin/scancel",
          "/usr/bin/scontrol",
          "/usr/bin/sdiag",
          "/usr/sbin/munged",
          "/usr/sbin/mungekey",
          "/usr/bin/node",
          "/usr/bin/python3",
          "/usr/lib/jvm/java-21-openjdk-amd64/bin/java",
          "/usr/bin/bwrap",
          "/usr/bin/setpriv",
          "/bin/sh",
          "/bin/sleep",
          "/usr/sbin/chroot");

  /** Where the pilots' Java is, inside the root. */
  public static final Path JAVA_HOME = Path.of("/usr/lib/jvm/java-21-openjdk-amd64");

  static final String MIRROR = "http://deb.debian.org/debian";

  private final Path cache;

  public DebianRootfs(Path cache) {
    this.cache = cache.toAbsolutePath().normalize();
  }

  /** The configured cache directory (see the class comment). */
  public static DebianRootfs configured() {
    String configured =
        System.getProperty("hpcwhisk.rootfs.cache", System.getenv("HPC_WHISK_ROOTFS_CACHE"));
    return new DebianRootfs(
        configured == null || configured.isBlank()
            ? Path.of("/var/cache/hpc-whisk/slurm-" + SLURM_SERIES)
            : Path.of(configured));
  }

  public Path cache() {
    return cache;
  }

  /** The root file system. */
  public Path root() {
    return cache.resolve("root");
  }

  /** The debootstrap command that builds the root into {@code target}. */
  static List<String> buildCommand(Path target) {
    return List.of(
        "debootstrap",
        "--variant=minbase",
        "--include=" + String.join(",", PACKAGES),
        SUITE,
        target.toString(),
        MIRROR);
  }

  /**
   * Makes sure a verified root is there: uses the cache when {@link #verify} passes; otherwise
   * builds it when {@code allowBuild} (as root, with debootstrap, ≈ 700 MB download), else throws
   * saying why and how to build.
   */
  public void ensure(boolean allowBuild, PrintStream out) {
    Optional<String> problem = verify();
    if (problem.isEmpty()) {
      return;
    }
    String why =
        "the Slurm "
            + SLURM_SERIES
            + " root file system in "
            + cache
            + " is not usable: "
            + problem.get();
    if (!allowBuild) {
      throw new LocalClusterException(
          why
              + "; build it with `hpc-whisk local-cluster up --slurm "
              + SLURM_SERIES
              + "` as root (without --no-install), or in CI with CI=true");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new LocalClusterException(why + "; building it needs root (debootstrap, chroot)");
    }
    out.println(
        why + ". Building it with debootstrap (Debian " + SUITE + ", ≈ 700 MB, a few minutes) ...");
    build(out);
    Optional<String> after = verify();
    if (after.isPresent()) {
      throw new LocalClusterException(
          "the freshly built root file system in " + cache + " fails its check: " + after.get());
    }
  }

  /** Why the cache cannot be used, or empty when it can. */
  public Optional<String> verify() {
    Path complete = cache.resolve("complete");
    Path manifest = cache.resolve("manifest");
    if (!Files.isDirectory(cache, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of("it does not exist");
    }
    if (!Files.isRegularFile(complete, LinkOption.NOFOLLOW_LINKS)
        || !Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of("it has no complete marker or manifest (an interrupted build?)");
    }
    List<Path> guarded =
        new ArrayList<>(
            List.of(
                cache,
                complete,
                manifest,
                root(),
                root().resolve("usr"),
                root().resolve("usr/bin"),
                root().resolve("usr/sbin"),
                root().resolve("etc"),
                root().resolve("var/lib/dpkg")));
    PROGRAMS.forEach(p -> guarded.add(inRoot(p)));
    for (Path path : guarded) {
      Optional<String> unsafe = unsafe(path);
      if (unsafe.isPresent()) {
        return unsafe;
      }
    }
    try {
      String text = Files.readString(manifest);
      if (!Files.readString(complete).strip().equals(sha256(text))) {
        return Optional.of("its complete marker does not match its manifest");
      }
      String expected =
          text.lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
      String actual = packageVersions();
      if (!expected.equals(actual)) {
        return Optional.of(
            "the packages inside differ from its manifest (manifest: "
                + expected.strip().replace('\n', ',')
                + "; dpkg: "
                + actual.strip().replace('\n', ',')
                + ")");
      }
      String slurm = actual.lines().filter(l -> l.startsWith("slurm-wlm ")).findFirst().orElse("");
      if (!slurm.startsWith("slurm-wlm " + SLURM_SERIES + ".")) {
        return Optional.of("it holds `" + slurm + "`, expected slurm-wlm " + SLURM_SERIES + ".x");
      }
    } catch (IOException e) {
      return Optional.of("cannot read it: " + e.getMessage());
    } catch (LocalClusterException e) {
      return Optional.of(e.getMessage());
    }
    return Optional.empty();
  }

  /** The installed version of slurm-wlm inside the root, e.g. {@code 24.11.5-4}. */
  public String slurmPackageVersion() {
    return packageVersions()
        .lines()
        .filter(l -> l.startsWith("slurm-wlm "))
        .findFirst()
        .map(l -> l.substring("slurm-wlm ".length()))
        .orElse("unknown");
  }

  Path inRoot(String absolute) {
    return root().resolve(absolute.substring(1));
  }

  /**
   * Present, owned by root and writable by no one else (symbolic links are judged by their target).
   */
  private static Optional<String> unsafe(Path path) {
    try {
      PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class);
      if (!"root".equals(a.owner().getName())) {
        return Optional.of(path + " is owned by " + a.owner().getName() + ", expected root");
      }
      if (a.permissions().contains(PosixFilePermission.OTHERS_WRITE)
          || a.permissions().contains(PosixFilePermission.GROUP_WRITE)) {
        return Optional.of(
            path
                + " is writable by group or others ("
                + PosixFilePermissions.toString(a.permissions())
                + "), expected writable by root only");
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(path + " is missing");
    }
  }

  private String packageVersions() {
    List<String> command =
        new ArrayList<>(
            List.of(
                "dpkg-query",
                "--admindir=" + root().resolve("var/lib/dpkg"),
                "-W",
                "-f=${Package} ${Version}\\n"));
    command.addAll(PACKAGES);
    CommandResult r = Commands.run(command, Map.of(), Duration.ofSeconds(30));
    if (!r.ok()) {
      throw new LocalClusterException(
          "dpkg-query cannot list the packages in " + root() + ": " + r.tail());
    }
    return r.stdout().lines().sorted().reduce("", (a, b) -> a + b + "\n");
  }

  private void build(PrintStream out) {
    Path staging =
        cache.resolveSibling(cache.getFileName() + ".build-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(cache.getParent());
      deleteTree(staging);
      Files.createDirectories(staging);
      Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path root = staging.resolve("root");
      long started = System.nanoTime();
      CommandResult r =
          Commands.run(
              buildCommand(root),
              Map.of("DEBIAN_FRONTEND", "noninteractive"),
              Duration.ofMinutes(30));
      if (!r.ok()) {
        throw new LocalClusterException(
            "debootstrap failed (exit " + r.exitCode() + "): " + r.tail());
      }
      new DebianRootfs(staging).seal();
      if (Files.exists(cache, LinkOption.NOFOLLOW_LINKS)) {
        Path old =
            cache.resolveSibling(cache.getFileName() + ".rejected-" + System.currentTimeMillis());
        Files.move(cache, old);
        deleteTree(old);
      }
      Files.move(staging, cache);
      out.printf(
          "Built the Slurm %s root file system in %s in %.0f s (slurm-wlm %s).%n",
          SLURM_SERIES, cache, (System.nanoTime() - started) / 1e9, slurmPackageVersion());
    } catch (IOException e) {
      throw new LocalClusterException(
          "cannot build the root file system in " + staging + ": " + e.getMessage(), e);
    } finally {
      try {
        deleteTree(staging);
      } catch (IOException ignored) {
        // left for the next build, which starts by deleting it
      }
    }
  }

  /**
   * Writes the manifest (what dpkg reports inside the root now), then the complete marker: the last
   * step of a build.
   */
  void seal() throws IOException {
    String manifest =
        "# "
            + String.join(" ", buildCommand(Path.of("root")))
            + "\n# built "
            + Instant.now()
            + "\n"
            + packageVersions();
    Files.writeString(cache.resolve("manifest"), manifest);
    Files.writeString(cache.resolve("complete"), sha256(manifest) + "\n");
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deletes a tree without following symbolic links (a root file system is full of absolute ones).
   */
  static void deleteTree(Path top) throws IOException {
    if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<String> mounted = Mounts.under(top);
    if (!mounted.isEmpty()) {
      throw new IOException(
          "refusing to delete " + top + ": file systems are mounted under it: " + mounted);
    }
    Files.walkFileTree(
        top,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
