package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.testkit.LocalAttacker;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile configuration files given to the real {@code bin/hpc-whisk}: each one ends the command at
 * once with exit status 2 and one line on stderr (no stack trace), before anything starts: no data
 * directory is created and the API port stays free.
 */
class ConfigAttackIT {

  @TempDir Path dir;

  record Outcome(int exit, String stdout, String stderr) {}

  @Test
  void theShippedConfigurationStartsTheServerTheControlForTheAttacksBelow() throws Exception {
    Path file =
        Files.copy(
            SystemFixture.HOME.resolve("config/hpc-whisk.yaml"), dir.resolve("hpc-whisk.yaml"));
    int port = freePort();
    ProcessBuilder pb =
        new ProcessBuilder(
                SystemFixture.HOME.resolve("bin/hpc-whisk").toString(),
                "server",
                "--config",
                file.toString(),
                "--port",
                Integer.toString(port),
                "--data-dir",
                dir.resolve("data").toString(),
                "--executor",
                "none",
                "--no-controller")
            .redirectErrorStream(true);
    pb.environment().put("HPC_WHISK_NO_BUILD", "1");
    Path out = dir.resolve("server.out");
    Process server = pb.redirectOutput(out.toFile()).start();
    try {
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  !server.isAlive()
                      || Files.readString(out)
                          .contains("OpenWhisk API on http://127.0.0.1:" + port));
      assertThat(server.isAlive())
          .as("the server runs; output:%n%s", Files.readString(out))
          .isTrue();
      assertThat(dir.resolve("data")).isDirectory();
    } finally {
      server.destroy();
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  @Test
  void aYamlBombIsOneLineAndExit2AndNothingStarts() throws Exception {
    StringBuilder bomb =
        new StringBuilder(
            "api:\n"
                + "  port: PORT\n"
                + "store:\n"
                + "  data-dir: DATA\n"
                + "harvest:\n"
                + "  params:\n"
                + "    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 10; i++) {
      bomb.append("    a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      bomb.append("]\n");
    }
    refusedBeforeStart(
        bomb.toString(),
        "hpc-whisk server: configuration is not valid YAML: aliases (*a0) are not"
            + " supported; write the value out");
  }

  @Test
  void deepNestingIsOneLineAndExit2() throws Exception {
    refusedBeforeStart(
        "api:\n  port: PORT\nstore:\n  data-dir: DATA\nharvest:\n  params: "
            + "[".repeat(100_000)
            + "]".repeat(100_000)
            + "\n",
        "hpc-whisk server: configuration is not valid YAML: nested deeper than 20 levels");
  }

  @Test
  void aHundredMegabyteFileIsOneLineAndExit2() throws Exception {
    Path file = dir.resolve("huge.yaml");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write("api:\n  port: 1\n".getBytes(StandardCharsets.UTF_8));
      raf.setLength(100L * 1024 * 1024);
    }
    Outcome o =
        hpcWhisk(
            "server", "--config", file.toString(), "--data-dir", dir.resolve("data").toString());
    assertOneLine(
        o,
        "hpc-whisk server: configuration file "
            + file
            + " is larger than 1048576 bytes; a"
            + " configuration is a few kB");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void aConfigurationAnotherAccountCanWriteIsRefusedByServerAndController() throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    int port = freePort();
    Path file =
        Files.writeString(
            shared.resolve("hpc-whisk.yaml"), "api:\n  port: " + port + "\n  executor: none\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
    // the attack: an ordinary account points the server's data directory at its own
    Path stolen = attacker.home().resolve("stolen-data");
    LocalAttacker.Result wrote =
        attacker.shell(
            Duration.ofSeconds(30),
            "printf 'store:\\n  data-dir: " + stolen + "\\n' >> '" + file + "'");
    assertThat(wrote.exitCode()).as("the attacker could write the file: %s", wrote.all()).isZero();

    Outcome server = hpcWhisk("server", "--config", file.toString());
    assertOneLine(
        server,
        "hpc-whisk server: refusing to read configuration file "
            + file
            + ": it is group- or world-writable (mode rw-rw-rw-), so another account could change"
            + " where the data, the pilot script and the credentials are; check its contents, then:"
            + " chmod go-w "
            + file);
    assertThat(stolen).as("nothing written where the attacker pointed").doesNotExist();
    assertThat(portIsFree(port)).as("the API did not start").isTrue();
    Outcome controller = hpcWhisk("controller", "run", "--config", file.toString(), "--dry-run");
    assertThat(controller.exit()).as(controller.stderr()).isEqualTo(2);
    assertThat(controller.stderr())
        .contains("refusing to read configuration file")
        .doesNotContain("\tat ");

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    LocalAttacker.Result again =
        attacker.shell(Duration.ofSeconds(30), "echo 'api: {port: 1}' >> '" + file + "'");
    assertThat(again.exitCode()).as("0644: the attacker can no longer write it").isNotZero();
  }

  @Test
  void aTypoIsOneLineNamingTheNearestKeyAndExit2() throws Exception {
    refusedBeforeStart(
        "api:\n  port: PORT\n  executer: none\nstore:\n  data-dir: DATA\n",
        "hpc-whisk server: api.executer: unknown key (did you mean api.executor?)");
  }

  /**
   * Writes {@code yaml} (PORT and DATA replaced), runs the server on it, expects {@code line} and
   * nothing started.
   */
  private void refusedBeforeStart(String yaml, String line) throws Exception {
    int port = freePort();
    Path data = dir.resolve("data");
    Path file =
        Files.writeString(
            dir.resolve("c.yaml"),
            yaml.replace("PORT", Integer.toString(port)).replace("DATA", data.toString()));
    Outcome o = hpcWhisk("server", "--config", file.toString());
    assertOneLine(o, line);
    assertThat(data).as("no data directory created").doesNotExist();
    assertThat(portIsFree(port)).as("the API did not start").isTrue();
  }

  private static void assertOneLine(Outcome o, String line) {
    assertThat(o.exit()).as("exit status; stderr: %s", o.stderr()).isEqualTo(2);
    assertThat(o.stderr()).isEqualTo(line + "\n");
    assertThat(o.stdout()).isEmpty();
  }

  private static Outcome hpcWhisk(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of(SystemFixture.HOME.resolve("bin/hpc-whisk").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("HPC_WHISK_NO_BUILD", "1");
    pb.environment().remove("HPC_WHISK_DEBUG");
    Path out = Files.createTempFile("hpcw-out", ".txt");
    Path err = Files.createTempFile("hpcw-err", ".txt");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            "hpc-whisk " + String.join(" ", args) + " still runs after 120 s: it started");
      }
      return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean portIsFree(int port) {
    try (ServerSocket s = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
