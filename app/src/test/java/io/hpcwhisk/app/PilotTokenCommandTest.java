package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.pilots.PilotCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hpc-whisk pilot-token} prints credentials the server (same data directory) accepts. */
class PilotTokenCommandTest {

  @TempDir Path tmp;

  private String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = HpcWhisk.commandLine();
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute(args)).isZero();
    return out.toString().trim();
  }

  @Test
  void printsTokensTheServerAccepts() {
    String job = run("pilot-token", "--job", "42", "--data-dir", tmp.toString());
    String submission = run("pilot-token", "--data-dir", tmp.toString());
    PilotCredentials server = PilotCredentials.inDataDir(tmp);
    assertThat(server.verify(job, "42")).isPresent();
    assertThat(server.verify(job, "43")).isEmpty();
    assertThat(server.verify(submission, "7")).isPresent();
  }
}
