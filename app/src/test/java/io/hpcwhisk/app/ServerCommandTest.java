package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.config.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hpc-whisk server}: options override the configuration file; bad configuration is one line.
 */
class ServerCommandTest {

  @TempDir Path tmp;

  @Test
  void optionsOverrideTheFile() throws Exception {
    Path file = tmp.resolve("c.yaml");
    Files.writeString(
        file, "api:\n  port: 4000\n  executor: none\nstore:\n  data-dir: /somewhere\n");
    ServerConfig fromFile = ServerCommand.effectiveConfig(file, null, null, null, null, null);
    assertThat(fromFile.api().port()).isEqualTo(4000);
    assertThat(fromFile.api().executor()).isEqualTo("none");
    ServerConfig overridden =
        ServerCommand.effectiveConfig(file, "127.0.0.2", 0, tmp.toString(), true, "local");
    assertThat(overridden.api().host()).isEqualTo("127.0.0.2");
    assertThat(overridden.api().port()).isZero();
    assertThat(overridden.api().guest()).isTrue();
    assertThat(overridden.api().executor()).isEqualTo("local");
    assertThat(overridden.store().dataPath()).isEqualTo(tmp);
  }

  @Test
  void aBadConfigurationFileIsOneClearLine() throws Exception {
    Path file = tmp.resolve("bad.yaml");
    Files.writeString(file, "api:\n  port: 70000\n");
    StringWriter err = new StringWriter();
    CommandLine cli = HpcWhisk.commandLine();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("server", "--config", file.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "hpc-whisk server: api.port: 70000 is out of range (expected 0..65535)"
                + System.lineSeparator());
  }

  @Test
  void theGuestKeyWorksWithPilotsAsUpUsesItButOnlyOnALoopbackAddress() throws Exception {
    ServerConfig up =
        ServerCommand.effectiveConfig(null, "127.0.0.1", 0, tmp.toString(), true, "pilots");
    assertThat(up.api().guest()).as("hpc-whisk up: guest with pilots").isTrue();
    assertThat(up.api().executor()).isEqualTo("pilots");
    assertThat(
            ServerCommand.effectiveConfig(null, "::1", 0, tmp.toString(), true, "local")
                .api()
                .guest())
        .isTrue();
    assertThat(
            ServerCommand.effectiveConfig(null, "localhost", 0, tmp.toString(), true, "none")
                .api()
                .guest())
        .isTrue();
    for (String exposed : new String[] {"0.0.0.0", "10.1.2.3", "login1.cluster", "128.0.0.1"}) {
      StringWriter err = new StringWriter();
      CommandLine cli = HpcWhisk.commandLine();
      cli.setErr(new PrintWriter(err, true));
      int code =
          cli.execute(
              "server",
              "--guest",
              "--executor",
              "pilots",
              "--host",
              exposed,
              "--port",
              "0",
              "--data-dir",
              tmp.toString());
      assertThat(code).as(exposed).isNotZero();
      assertThat(err.toString())
          .contains("needs a loopback address", "api.host is '" + exposed + "'")
          .doesNotContain("\tat ");
    }
    Path file = tmp.resolve("exposed.yaml");
    Files.writeString(file, "api:\n  host: 0.0.0.0\n  guest: true\n");
    StringWriter err = new StringWriter();
    CommandLine cli = HpcWhisk.commandLine();
    cli.setErr(new PrintWriter(err, true));
    assertThat(cli.execute("server", "--config", file.toString())).isNotZero();
    assertThat(err.toString()).contains("needs a loopback address");
    StringWriter help = new StringWriter();
    CommandLine h = HpcWhisk.commandLine();
    h.setOut(new PrintWriter(help, true));
    h.execute("server", "--help");
    assertThat(help.toString().replaceAll("\\s+", " "))
        .contains("with any executor")
        .contains("only on a loopback --host")
        .doesNotContain("local mode only");
  }
}
