package io.hpcwhisk.runtime;

import static io.hpcwhisk.runtime.TestActions.input;
import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.testkit.Required;
import io.hpcwhisk.testkit.SandboxProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runtimes inside bubblewrap: they run, and they do not see other actions' files or the home
 * directory.
 */
class SandboxedRuntimesTest {

  @TempDir Path work;
  ActionRuntimes runtimes;

  @BeforeEach
  void start() {
    Required.on(
        Sandbox.usable(), "bwrap (bubblewrap) is not installed or cannot create namespaces here");
    runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(work.resolve("rt"), 1024)
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
    Path secret =
        Files.writeString(
            Files.createDirectories(work.resolve("rt/actions/999-other")).resolve("secret.txt"),
            "x");
    String home = System.getProperty("user.home");
    ActionSpec spy =
        ActionSpec.text(
            "guest/spy@1",
            "nodejs:20",
            "const fs = require('fs'); function main() { const seen = (p) => { try { return"
                + " fs.readdirSync(p).length; } catch (e) { return -1; } }; return { secret:"
                + " fs.existsSync('"
                + secret
                + "'), home: seen('"
                + home
                + "'), own: fs.existsSync(process.env.HOME), pid1:"
                + " fs.readFileSync('/proc/1/cmdline', 'utf8').includes('node') }; }");

    ActivationResult result = runtimes.invoke(spy, input("{}"));

    assertThat(runtimes.sandboxed()).isTrue();
    assertThat(result.status()).as(result.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.result().get("secret").asBoolean()).as("another action's file").isFalse();
    assertThat(result.result().get("home").asInt()).as("entries in the home directory").isZero();
    assertThat(result.result().get("own").asBoolean()).as("its own directory").isTrue();
    assertThat(Files.exists(secret)).isTrue();
  }

  /**
   * Attacks from inside an action: capabilities, the Munge key, root's files, another process's
   * environment with a credential in it, the pilot's config directory. Each must fail.
   */
  @Test
  void anActionHasNoCapabilitiesNoRootFilesNoMungeKeyAndNoOtherProcessEnvironment()
      throws Exception {
    Path config = Files.createDirectories(work.resolve("hpc-whisk-config"));
    Path configSecret = Files.writeString(config.resolve("pilot-secret"), "s3cret");
    runtimes.close();
    runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(work.resolve("rt"), 1024)
                .withSandbox(RuntimeConfig.Sandbox.BWRAP)
                .withSandboxHidden(List.of(config)));
    String token = "sub-" + UUID.randomUUID();
    ProcessBuilder holder = new ProcessBuilder("sleep", "120");
    holder.environment().put("HPC_WHISK_PILOT_TOKEN", token);
    Process victim = holder.start();
    try {
      ActionSpec spy =
          ActionSpec.text(
              "guest/attack@1",
              "python:3",
              SandboxProbe.python(
                  List.of(SandboxProbe.literal(token)),
                  Map.of(
                      "munge",
                      "/etc/munge/munge.key",
                      "shadow",
                      "/etc/shadow",
                      "config",
                      configSecret.toString()),
                  Map.of()));

      ActivationResult result = runtimes.invoke(spy, input("{}"));

      assertThat(result.status())
          .as(result.resultJson() + " " + result.logs())
          .isEqualTo(ActivationStatus.SUCCESS);
      var r = result.result();
      assertThat(r.get("cap").asText()).as("CapEff").matches("0+");
      assertThat(r.get("uid").asInt()).as("uid inside").isNotZero();
      assertThat(r.get("euid").asInt()).as("euid inside").isNotZero();
      assertThat(r.get("environs").asInt())
          .as("environ files it could read (its own at least)")
          .isPositive();
      assertThat(r.get("leaked")).as("processes whose environment carries the token").isEmpty();
      assertThat(r.get("readable").get("munge").asBoolean())
          .as("/etc/munge/munge.key readable")
          .isFalse();
      assertThat(r.get("readable").get("shadow").asBoolean()).as("/etc/shadow readable").isFalse();
      assertThat(r.get("readable").get("config").asBoolean())
          .as("a configured hidden directory's file readable")
          .isFalse();
      assertThat(r.get("env").toString()).doesNotContain("HPC_WHISK").doesNotContain("SLURM");
    } finally {
      victim.destroyForcibly();
    }
  }

  @Test
  void aSandboxThatFailsItsSelfCheckIsNotWorkingAndSaysWhy() {
    RuntimeConfig broken =
        RuntimeConfig.defaults(work.resolve("rt-broken"), 256)
            .withSandbox(RuntimeConfig.Sandbox.AUTO)
            .withSandboxHidden(List.of());
    // an interpreter-less PATH: bwrap itself cannot be found
    Sandbox sandbox = Sandbox.choose(broken, Map.of(), "/nonexistent/bwrap");

    assertThat(sandbox.enabled()).isFalse();
    assertThat(sandbox.problem()).contains("/nonexistent/bwrap");
    Assertions.assertThatThrownBy(
            () ->
                Sandbox.choose(
                    broken.withSandbox(RuntimeConfig.Sandbox.BWRAP),
                    Map.of(),
                    "/nonexistent/bwrap"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not work here");
  }

  @Test
  void pythonFromAVersionManagerUnderHomeStillRuns() {
    ActionSpec spec =
        ActionSpec.text("guest/py@1", "python:3", "def main(a):\n    return {'ok': True}\n");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status())
        .as(result.resultJson() + " " + result.logs())
        .isEqualTo(ActivationStatus.SUCCESS);
  }
}
