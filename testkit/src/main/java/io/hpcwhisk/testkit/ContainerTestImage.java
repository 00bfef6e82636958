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
 * The container-action tests' image, built on this machine without any registry or mirror from this
 * machine's own python3.11 ({@link PythonRoot}: the interpreter, its standard library, the shared
 * libraries they load) plus HPC-Whisk's test action proxy ({@code action-proxy.py}, OpenWhisk's
 * docker-action contract with test behaviours chosen by the parameter {@code op}), imported into
 * root's podman store as {@link #NAME}{@code :HASH}, HASH from the proxy's text and from what went
 * into the root (python's version and each file's path, size and time: a changed proxy or host
 * python gives a new image).
 *
 * <p>Cache: the image in podman's store ({@code /var/lib/containers}, root's: only root can change
 * it, so an image found there is used). When it is missing, {@link #ensure} builds it in a
 * temporary directory it removes after; concurrent test JVMs take a lock file first. A build took
 * 3-5 s at load 7-8 on 2 cores (debootstrap's: 184 s at load 12-14); ContainerActionsIT with it 61
 * s.
 *
 * <p>Known caveat: builds need root, podman, runc or crun, tar, ldd and Debian 12's python3.11
 * ({@code /usr/bin/python3.11}); the root has no shell and no package manager.
 */
public final class ContainerTestImage {

  /** The image's name without its tag. */
  public static final String NAME = "localhost/hpcwhisk-test/action-proxy";

  /** The unprivileged user of the image's {@code /etc/passwd} (the uid containers run as). */
  static final String PASSWD =
      "root:x:0:0:root:/root:/usr/sbin/nologin\n"
          + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

  static final String GROUP = "root:x:0:\nnogroup:x:65534:\n";

  private ContainerTestImage() {}

  /** Whether this machine can run the container tests: root, podman and python3.11. */
  public static boolean usable() {
    return "root".equals(System.getProperty("user.name"))
        && run(List.of("podman", "version"), 60) == 0
        && Files.isExecutable(Path.of(PythonRoot.INTERPRETER))
        && Files.isDirectory(Path.of(PythonRoot.LIBRARY));
  }

  /** Skips (or in CI fails) unless {@link #usable()}. */
  public static void require() {
    Required.on(
        usable(),
        "container-action tests need root, podman (apt-get install podman runc) and python3.11"
            + " ("
            + PythonRoot.INTERPRETER
            + " with "
            + PythonRoot.LIBRARY
            + "; apt-get install python3.11), from which the test image is built");
  }

  /** The image with its tag, building it first when it is not in the store. */
  public static synchronized String ensure() {
    List<String> files = PythonRoot.files();
    String image = NAME + ":" + tag(files);
    if (run(List.of("podman", "image", "exists", image), 60) == 0) {
      return image;
    }
    Path lock = Path.of("/var/tmp/hpcwhisk-test-image.lock");
    try (var channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        var ignored = channel.lock()) {
      if (run(List.of("podman", "image", "exists", image), 60) == 0) {
        return image;
      }
      build(image, files);
      return image;
    } catch (IOException e) {
      throw new IllegalStateException("cannot build the test image " + image, e);
    }
  }

  private static void build(String image, List<String> files) throws IOException {
    Path dir = Files.createTempDirectory("hpcwhisk-test-image-");
    try {
      System.err.println(
          "ContainerTestImage: building "
              + image
              + " from "
              + PythonRoot.INTERPRETER
              + " ("
              + files.size()
              + " files)");
      Path stage = Files.createDirectory(dir.resolve("stage"));
      List<String> staged = stage(stage).stream().filter(f -> !files.contains(f)).toList();
      Path hostList = Files.write(dir.resolve("host.list"), files);
      Path stageList = Files.write(dir.resolve("stage.list"), staged);
      List<String> importing =
          List.of(
              "sh",
              "-c",
              "chmod 1777 \"$2/tmp\" \"$2/var/tmp\" && tar -c -f \"$4\" --no-recursion -C /"
                  + " -T \"$1\" -C \"$2\" -T \"$3\" && podman import --change 'CMD"
                  + " [\"/usr/bin/python3\", \"-u\", \"/proxy.py\"]' --change 'WORKDIR /' \"$4\""
                  + " \"$5\"",
              "import",
              hostList.toString(),
              stage.toString(),
              stageList.toString(),
              dir.resolve("root.tar").toString(),
              image);
      check(importing, 600, "tar, podman import"); // a tar that fails imports nothing
    } finally {
      run(List.of("rm", "-rf", "--one-file-system", dir.toString()), 300);
    }
  }

  /**
   * Writes what the root holds besides python into {@code stage}: the proxy, {@code /etc/passwd}
   * and {@code /etc/group} (root and nobody), and the empty mount points ({@code /tmp} and {@code
   * /var/tmp} made 1777 when archived); returns their paths.
   */
  static List<String> stage(Path stage) throws IOException {
    for (String d : List.of("etc", "tmp", "var/tmp", "run", "proc", "sys", "dev")) {
      Files.createDirectories(stage.resolve(d));
    }
    Files.writeString(stage.resolve("proxy.py"), proxy());
    Files.writeString(stage.resolve("etc/passwd"), PASSWD);
    Files.writeString(stage.resolve("etc/group"), GROUP);
    return List.of(
        "dev",
        "etc",
        "etc/group",
        "etc/passwd",
        "proc",
        "proxy.py",
        "run",
        "sys",
        "tmp",
        "var",
        "var/tmp");
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

  static String tag(List<String> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(proxy().getBytes(StandardCharsets.UTF_8));
      digest.update(PythonRoot.description(files).getBytes(StandardCharsets.UTF_8));
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
