package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Bad input to {@code local-cluster up} gets one clear line, a non-zero exit, and starts nothing.
 */
class LocalClusterCommandTest {

  @TempDir Path tmp;

  private record Outcome(int exitCode, String out, String err) {}

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = HpcWhisk.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void zeroNodesIsRefused() {
    Outcome o =
        run(
            "local-cluster",
            "up",
            "--nodes",
            "0",
            "--dir",
            tmp.resolve("c").toString(),
            "--no-install");
    assertThat(o.exitCode()).isNotZero();
    assertThat(o.err())
        .contains("--nodes 0 is out of range; expected 1..64")
        .doesNotContain("Exception", "\tat ");
    assertThat(tmp.resolve("c")).doesNotExist();
  }

  @Test
  void aDirectoryThatIsAFileIsRefused() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    Outcome o = run("local-cluster", "up", "--dir", file.toString(), "--no-install");
    assertThat(o.exitCode()).isNotZero();
    assertThat(o.err()).contains("--dir " + file + " is a file; expected a directory");
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void aPortInUseIsRefusedBeforeAnythingStarts() throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      Outcome o =
          run(
              "local-cluster",
              "up",
              "--dir",
              tmp.resolve("p").toString(),
              "--port-base",
              String.valueOf(port),
              "--no-install");
      assertThat(o.exitCode()).isNotZero();
      // Without Slurm installed the missing programs are reported first; with Slurm, the port.
      assertThat(o.err())
          .containsAnyOf("port " + port + " is in use", "Slurm/MUNGE programs not found");
      assertThat(tmp.resolve("p/slurm.conf")).doesNotExist();
    }
  }

  @Test
  void nonNumericNodesNamesTheValue() {
    Outcome o = run("local-cluster", "up", "--nodes", "four");
    assertThat(o.exitCode()).isEqualTo(2);
    assertThat(o.err()).contains("four");
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] args :
        new String[][] {
          {"--help"},
          {"version", "--help"},
          {"local-cluster", "--help"},
          {"local-cluster", "up", "--help"},
          {"local-cluster", "status", "--help"},
          {"local-cluster", "down", "--help"}
        }) {
      Outcome o = run(args);
      assertThat(o.exitCode()).as(String.join(" ", args)).isZero();
      assertThat(o.out()).startsWith("Usage: hpc-whisk");
    }
  }

  @Test
  void statusOfAnEmptyDirectorySaysNothingRuns() {
    Outcome o = run("local-cluster", "status", "--dir", tmp.toString());
    assertThat(o.exitCode()).isEqualTo(3);
  }
}
