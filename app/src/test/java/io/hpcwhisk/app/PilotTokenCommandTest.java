package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.pilots.PilotCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hpc-whisk pilot-token} writes job credentials the server (same data directory) accepts,
 * never prints them.
 */
class PilotTokenCommandTest {

  @TempDir Path tmp;

  private int run(StringWriter out, String... args) {
    CommandLine cli = HpcWhisk.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    return cli.execute(args);
  }

  @Test
  void writesAJobTokenToAPrivateFileThatTheServerAccepts() throws Exception {
    Path file = tmp.resolve("t.token");
    StringWriter out = new StringWriter();
    assertThat(
            run(
                out,
                "pilot-token",
                "--job",
                "42",
                "--out",
                file.toString(),
                "--valid-for",
                "2h",
                "--data-dir",
                tmp.toString()))
        .isZero();
    String token = Files.readString(file).strip();
    assertThat(out.toString()).contains("job 42").doesNotContain(token);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    var grant = PilotCredentials.inDataDir(tmp).verify(token).orElseThrow();
    assertThat(grant).isInstanceOf(PilotCredentials.Job.class);
    var job = (PilotCredentials.Job) grant;
    assertThat(job.jobId()).isEqualTo("42");
    assertThat(Duration.between(Instant.now(), job.notAfter()))
        .isBetween(Duration.ofMinutes(115), Duration.ofMinutes(121));
  }

  @Test
  void refusesWithoutAJobAnExistingFileOrAValidity() throws Exception {
    Path existing = Files.writeString(tmp.resolve("old.token"), "keep");
    assertThat(
            run(
                new StringWriter(),
                "pilot-token",
                "--out",
                tmp.resolve("x").toString(),
                "--data-dir",
                tmp.toString()))
        .isNotZero();
    assertThat(
            run(
                new StringWriter(),
                "pilot-token",
                "--job",
                "42",
                "--out",
                existing.toString(),
                "--data-dir",
                tmp.toString()))
        .isNotZero();
    assertThat(Files.readString(existing)).isEqualTo("keep");
    assertThat(
            run(
                new StringWriter(),
                "pilot-token",
                "--job",
                "42",
                "--out",
                tmp.resolve("y").toString(),
                "--valid-for",
                "0s",
                "--data-dir",
                tmp.toString()))
        .isNotZero();
  }
}
