package io.hpcwhisk.pilot.runtime;

import static io.hpcwhisk.pilot.runtime.TestActions.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hpcwhisk.protocol.ActivationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runtimes inside bubblewrap: they run, and they do not see other actions' files or the home directory. */
class SandboxedRuntimesTest {

  @TempDir Path work;
  ActionRuntimes runtimes;

  @BeforeEach
  void start() {
    assumeTrue(Sandbox.usable(), "bwrap (bubblewrap) is not installed or cannot create namespaces here");
    runtimes = new ActionRuntimes(RuntimeConfig.defaults(work.resolve("rt"), 1024)
        .withSandbox(RuntimeConfig.Sandbox.BWRAP));
  }

  @AfterEach
  void stop() {
    if (runtimes != null) {
      runtimes.close();
    }
  }

  @Test
  void actionsRunButSeeNeitherOtherActionsNorTheHomeDirectory() throws Exception {
    Path secret = Files.writeString(Files.createDirectories(work.resolve("rt/actions/999-other")).resolve("secret.txt"), "x");
    String home = System.getProperty("user.home");
    ActionSpec spy = ActionSpec.text("guest/spy@1", "nodejs:20", "const fs = require('fs');"
        + " function main() { const seen = (p) => { try { return fs.readdirSync(p).length; } catch (e) { return -1; } };"
        + " return { secret: fs.existsSync('" + secret + "'), home: seen('" + home + "'),"
        + " own: fs.existsSync(process.env.HOME), pid1: fs.readFileSync('/proc/1/cmdline', 'utf8').includes('node') }; }");

    ActivationResult result = runtimes.invoke(spy, input("{}"));

    assertThat(runtimes.sandboxed()).isTrue();
    assertThat(result.status()).as(result.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.result().get("secret").asBoolean()).as("another action's file").isFalse();
    assertThat(result.result().get("home").asInt()).as("entries in the home directory").isZero();
    assertThat(result.result().get("own").asBoolean()).as("its own directory").isTrue();
    assertThat(Files.exists(secret)).isTrue();
  }

  @Test
  void pythonFromAVersionManagerUnderHomeStillRuns() {
    ActionSpec spec = ActionSpec.text("guest/py@1", "python:3", "def main(a):\n    return {'ok': True}\n");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).as(result.resultJson() + " " + result.logs()).isEqualTo(ActivationStatus.SUCCESS);
  }
}
