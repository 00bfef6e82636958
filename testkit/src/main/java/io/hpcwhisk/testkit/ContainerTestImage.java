package io.hpcwhisk.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The container-action tests' image, built on this machine without any registry: a Debian 12 root
 * file system from Debian's packages ({@code debootstrap --variant=minbase} with python3's standard
 * library) plus HPC-Whisk's test action proxy ({@code action-proxy.py}, OpenWhisk's docker-action
 * contract with test behaviours chosen by the parameter {@code op}), imported into root's podman
 * store as {@link #NAME}{@code :HASH}, HASH from the proxy's text and the debootstrap command (a
 * changed proxy gives a new image).
 *
 * <p>Cache: the image in podman's store ({@code /var/lib/containers}, root's: only root can change
 * it, so an image found there is used). When it is missing, {@link #ensure} builds it (a few
 * minutes on a loaded machine, about 1 min otherwise) in a temporary directory it removes after;
 * concurrent test JVMs take a lock file first.
 *
 * <p>Known caveat: builds need root, podman, runc or crun and debootstrap, and Debian's mirror.
 */
public final class ContainerTestImage {

  /** The image's name without its tag. */
  public static final String NAME = "localhost/hpcwhisk-test/action-proxy";

  static final String MIRROR = "http://deb.debian.org/debian";
  static final List<String> PACKAGES = List.of("python3-minimal", "libpython3.11-stdlib");

  private ContainerTestImage() {}

  /** Whether this machine can run the container tests: root, podman and debootstrap. */
  public static boolean usable() {
    return "root".equals(System.getProperty("user.name"))
        && run(List.of("podman", "version"), 60) == 0
        && (Files.isExecutable(Path.of("/usr/sbin/debootstrap"))
            || run(List.of("debootstrap", "--version"), 30) == 0);
  }

  /** Skips (or in CI fails) unless {@link #usable()}. */
  public static void require() {
    Required.on(
        usable(),
        "container-action tests need root, podman (apt-get install podman runc) and debootstrap");
  }

  /** The image with its tag, building it first when it is not in the store. */
  public static synchronized String ensure() {
    String image = NAME + ":" + tag();
    if (run(List.of("podman", "image", "exists", image), 60) == 0) {
      return image;
    }
    Path lock = Path.of("/var/tmp/hpcwhisk-test-image.lock");
    try (var channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        var ignored = channel.lock()) {
      if (run(List.of("podman", "image", "exists", image), 60) == 0) {
        return image;
      }
      build(image);
      return image;
    } catch (IOException e) {
      throw new IllegalStateException("cannot build the test image " + image, e);
    }
  }

  private static void build(String image) throws IOException {
    Path dir = Files.createTempDirectory("hpcwhisk-test-image-");
    try {
      Path root = dir.resolve("root");
      List<String> debootstrap = debootstrap(root);
      System.err.println("ContainerTestImage: building " + image + ": " + debootstrap);
      check(debootstrap, 1200, "debootstrap");
      Files.writeString(root.resolve("proxy.py"), proxy());
      List<String> importing =
          List.of(
              "sh",
              "-c",
              "tar -C \"$1\" -c . | podman import --change 'CMD [\"/usr/bin/python3\", \"-u\","
                  + " \"/proxy.py\"]' --change 'WORKDIR /' - \"$2\"",
              "import",
              root.toString(),
              image);
      check(importing, 600, "podman import");
    } finally {
      run(List.of("rm", "-rf", "--one-file-system", dir.toString()), 300);
    }
  }

  static List<String> debootstrap(Path target) {
    return List.of(
        "debootstrap",
        "--variant=minbase",
        "--include=" + String.join(",", PACKAGES),
        "bookworm",
        target.toString(),
        MIRROR);
  }

  /** The test action proxy's text. */
  public static String proxy() {
    try (InputStream in = ContainerTestImage.class.getResourceAsStream("action-proxy.py")) {
      if (in == null) {
        throw new IllegalStateException("action-proxy.py is missing from testkit's resources");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String tag() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(proxy().getBytes(StandardCharsets.UTF_8));
      digest.update(String.join(" ", debootstrap(Path.of("/"))).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void check(List<String> command, long seconds, String what) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Process p = builder.start();
    p.getOutputStream().close();
    List<String> tail = new ArrayList<>();
    try (var reader = p.inputReader(StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        tail.add(line);
        if (tail.size() > 20) {
          tail.remove(0);
        }
      }
    }
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(what + " failed: " + String.join("\n", tail));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(what + " interrupted", e);
    }
  }

  static int run(List<String> command, long seconds) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return 124;
      }
      return p.exitValue();
    } catch (IOException e) {
      return 127;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }
}
