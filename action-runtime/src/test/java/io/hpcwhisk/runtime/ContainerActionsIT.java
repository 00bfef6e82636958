package io.hpcwhisk.runtime;

import static io.hpcwhisk.runtime.TestActions.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.runtime.container.ContainerSettings;
import io.hpcwhisk.testkit.ContainerTestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container actions with real podman and the locally built test image ({@link ContainerTestImage}):
 * the contract, warm reuse, limits, the sandbox, clean-up, and hostile image names and actions.
 */
class ContainerActionsIT {

  static String image;

  @TempDir Path work;
  String owner;
  ActionRuntimes runtimes;

  @BeforeAll
  static void buildImage() {
    ContainerTestImage.require();
    image = ContainerTestImage.ensure();
  }

  @BeforeEach
  void start() {
    owner = "it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(work.resolve("rt"), 2048),
            new ContainerSettings("podman", null, owner));
  }

  @AfterEach
  void stop() {
    runtimes.close();
    assertThat(containersOf(owner)).as("close() removes every container it started").isEmpty();
  }

  private ActionSpec spec(String name, String img) {
    return new ActionSpec(
        "guest/" + name + "@1",
        "blackbox",
        "",
        false,
        "main",
        java.util.Map.of(),
        ActionLimits.defaults().withTimeout(Duration.ofSeconds(60)),
        img);
  }

  @Test
  void runsTheDockerActionContractAndReusesTheWarmContainer() {
    ActionSpec spec = spec("echo", image);

    ActivationResult first = runtimes.invoke(spec, input("a1", "{\"op\":\"echo\",\"n\":1}"));
    ActivationResult second = runtimes.invoke(spec, input("a2", "{\"op\":\"echo\",\"n\":2}"));

    assertThat(first.status()).as(first.toString()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(first.cold()).isTrue();
    assertThat(first.result().path("params").path("n").asInt()).isEqualTo(1);
    assertThat(first.result().path("activation").asText()).isEqualTo("a1");
    assertThat(first.result().path("action").asText()).isEqualTo("/guest/test");
    assertThat(first.result().path("init").path("main").asText()).isEqualTo("main");
    assertThat(first.result().path("init").path("has_code").asBoolean()).isFalse();
    assertThat(first.logs())
        .anyMatch(l -> l.contains("stdout: echo {\"n\": 1, \"op\": \"echo\"}"))
        .anyMatch(l -> l.endsWith("stderr: to stderr"))
        .noneMatch(l -> l.contains("XXX_THE_END"));
    assertThat(second.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(second.cold()).as("the second call reuses the container").isFalse();
    assertThat(second.result().path("runs").asInt()).isEqualTo(2);
    assertThat(second.result().path("hostname").asText())
        .isEqualTo(first.result().path("hostname").asText());
    assertThat(second.logs())
        .anyMatch(l -> l.contains("\"n\": 2"))
        .noneMatch(l -> l.contains("\"n\": 1"));
    assertThat(runtimes.containers()).isEqualTo(1);
    assertThat(runtimes.stats().warmByVersion()).containsEntry("guest/echo@1", 1);
    assertThat(runtimes.stats().alive()).isEqualTo(1);
    assertThat(runtimes.stats().warmStarts()).isEqualTo(1);
    assertThat(containersOf(owner)).hasSize(1);
  }

  @Test
  void anApplicationErrorIsTheActionsError() {
    ActivationResult result = runtimes.invoke(spec("fail", image), input("{\"op\":\"fail\"}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.APPLICATION_ERROR);
    assertThat(result.errorMessage().orElse("")).contains("failed on purpose");
  }

  @Test
  void theActionRunsWithoutPrivilegesOnAReadOnlyRootAndSeesNothingOfTheHost() throws IOException {
    Path secret = work.resolve("rt").resolve("credential");
    Files.createDirectories(secret.getParent());
    Files.writeString(secret, "pilot-secret");
    ActionSpec spec = spec("caps", image);

    JsonNode caps = runtimes.invoke(spec, input("{\"op\":\"caps\"}")).result();
    JsonNode root = runtimes.invoke(spec, input("{\"op\":\"write\",\"path\":\"/etc/x\"}")).result();
    JsonNode tmp = runtimes.invoke(spec, input("{\"op\":\"write\",\"path\":\"/tmp/x\"}")).result();
    JsonNode credential =
        runtimes.invoke(spec, input("{\"op\":\"read\",\"path\":\"" + secret + "\"}")).result();
    JsonNode hostRoot = runtimes.invoke(spec, input("{\"op\":\"ls\",\"path\":\"/\"}")).result();
    JsonNode munge =
        runtimes.invoke(spec, input("{\"op\":\"ls\",\"path\":\"/run/munge\"}")).result();

    assertThat(caps.path("CapEff").asText()).isEqualTo("0000000000000000");
    assertThat(caps.path("CapBnd").asText()).isEqualTo("0000000000000000");
    assertThat(caps.path("NoNewPrivs").asText()).isEqualTo("1");
    assertThat(caps.path("Uid").asText()).startsWith("65534");
    assertThat(root.path("written").asBoolean()).as(root.toString()).isFalse();
    assertThat(tmp.path("written").asBoolean()).as("/tmp is a private tmpfs").isTrue();
    assertThat(credential.path("read").asBoolean()).as(credential.toString()).isFalse();
    assertThat(hostRoot.path("entries").toString())
        .as("the image's root, not the host's (which has /work)")
        .contains("\"proxy.py\"")
        .doesNotContain("\"work\"");
    assertThat(munge.path("entries").isNull()).as(munge.toString()).isTrue();
  }

  @Test
  void servicesOfTheNodeOnLoopbackAreOutOfReach() throws Exception {
    try (java.net.ServerSocket service =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      ActionSpec spec = spec("net", image);
      int port = service.getLocalPort();
      String gateway =
          runtimes.invoke(spec, input("{\"op\":\"gateway\"}")).result().path("gateway").asText();

      JsonNode loopback =
          runtimes
              .invoke(
                  spec, input("{\"op\":\"connect\",\"host\":\"127.0.0.1\",\"port\":" + port + "}"))
              .result();
      JsonNode viaGateway =
          runtimes
              .invoke(
                  spec,
                  input("{\"op\":\"connect\",\"host\":\"" + gateway + "\",\"port\":" + port + "}"))
              .result();

      assertThat(loopback.path("connected").asBoolean())
          .as("its own network namespace: " + loopback)
          .isFalse();
      assertThat(viaGateway.path("connected").asBoolean())
          .as("the node's loopback services through the gateway " + gateway + ": " + viaGateway)
          .isFalse();
    }
  }

  @Test
  void aLocalUserCannotSeeOrRemoveThePilotsContainers() throws Exception {
    io.hpcwhisk.testkit.LocalAttacker attacker = io.hpcwhisk.testkit.LocalAttacker.ensure();
    ActionSpec spec = spec("victim", image);
    assertThat(runtimes.invoke(spec, input("{\"op\":\"echo\"}")).status())
        .isEqualTo(ActivationStatus.SUCCESS);
    String name = containersOf(owner).get(0);

    var listed = attacker.run(Duration.ofSeconds(120), "podman", "ps", "--all");
    var removed =
        attacker.run(Duration.ofSeconds(120), "podman", "rm", "--force", "--time=0", name);
    var killed = attacker.run(Duration.ofSeconds(60), "kill", "-9", "-1");

    assertThat(listed.all()).doesNotContain(name);
    assertThat(containersOf(owner))
        .as("the container survives the attacker's podman rm: " + removed.all())
        .contains(name);
    assertThat(runtimes.invoke(spec, input("{\"op\":\"echo\"}")).cold())
        .as("still warm after the attacker's kill -9 -1 (" + killed.exitCode() + ")")
        .isFalse();
  }

  @Test
  void theMemoryLimitKillsTheContainer() {
    ActionSpec spec = spec("alloc", image).withLimits(ActionLimits.defaults().withMemoryMb(64));

    ActivationResult result = runtimes.invoke(spec, input("{\"op\":\"alloc\",\"mb\":300}"));

    assertThat(result.status()).as(result.toString()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage().orElse("")).isEqualTo(OpenWhiskMessages.MEMORY_EXHAUSTED);
    await().atMost(30, TimeUnit.SECONDS).until(() -> containersOf(owner).isEmpty());
  }

  @Test
  void aTimeoutKillsAndRemovesAContainerThatIgnoresSigterm() {
    ActionSpec spec =
        spec("sleep", image)
            .withLimits(ActionLimits.defaults().withTimeout(Duration.ofSeconds(20)));
    runtimes.invoke(spec, input("{\"op\":\"echo\"}")); // started: the timeout now covers the run
    ActionSpec sameContainer = spec;

    long t0 = System.nanoTime();
    ActivationResult result =
        runtimes.invoke(sameContainer, input("{\"op\":\"sleep\",\"seconds\":600}"));
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage().orElse(""))
        .isEqualTo("The action exceeded its time limits of 20000 milliseconds.");
    assertThat(seconds).as("killed, not waited for").isLessThan(60);
    await().atMost(30, TimeUnit.SECONDS).until(() -> containersOf(owner).isEmpty());
    assertThat(runtimes.invoke(spec, input("{\"op\":\"echo\"}")).cold())
        .as("no container survives a timeout")
        .isTrue();
  }

  @Test
  void aFloodOfOutputIsCutAtTheLogLimit() {
    ActionSpec spec = spec("flood", image).withLimits(ActionLimits.defaults().withLogBytes(10_000));

    ActivationResult result = runtimes.invoke(spec, input("{\"op\":\"flood\",\"lines\":200000}"));
    ActivationResult after = runtimes.invoke(spec, input("{\"op\":\"echo\"}"));

    assertThat(result.status()).as(result.toString()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.logs()).hasSizeLessThan(20);
    assertThat(result.logs())
        .last()
        .asString()
        .contains("Logs were truncated because the total bytes size exceeds the limit of 10000");
    assertThat(after.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(after.logs()).noneMatch(l -> l.contains("xxxxxxxxxx"));
  }

  @Test
  void aMissingImageIsADeveloperErrorNamingIt() {
    String missing = "localhost/hpcwhisk-test/not-there:1";

    ActivationResult result = runtimes.invoke(spec("missing", missing), input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage().orElse(""))
        .contains("'" + missing + "'")
        .contains("not in this site's image store")
        .contains("never pulled")
        .doesNotContain("Exception");
    assertThat(containersOf(owner)).isEmpty();
  }

  @Test
  void hostileImageNamesAreRefusedBeforeAnyEngineRuns() {
    List<String> hostile =
        List.of(
            "--privileged",
            "-v /:/host " + image,
            image + " --privileged",
            "alpine;id",
            "$(touch /tmp/pwned-by-image)",
            "`id`",
            "docker.io/library/python:3",
            "quay.io/x/y",
            "registry.example.org:5000/x",
            "localhost:5000/x",
            "x@sha256:0000");
    for (String name : hostile) {
      ActivationResult result = runtimes.invoke(spec("hostile", name), input("{}"));
      assertThat(result.status()).as(name).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
      assertThat(result.errorMessage().orElse("")).as(name).contains("is refused");
    }
    assertThat(Path.of("/tmp/pwned-by-image")).doesNotExist();
    assertThat(containersOf(owner)).isEmpty();
  }

  @Test
  void withTheEngineOffAContainerActionIsADeveloperErrorNamingWhy() {
    try (ActionRuntimes off =
        new ActionRuntimes(
            RuntimeConfig.defaults(work.resolve("off"), 512),
            new ContainerSettings("none", null, owner))) {
      ActivationResult result = off.invoke(spec("off", image), input("{}"));

      assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
      assertThat(result.errorMessage().orElse(""))
          .contains("'" + image + "'")
          .contains("pilot.container-engine: none");
    }
  }

  @Test
  void containersLeftByADeadPilotAreRemovedWhenAPoolRunsItsFirstContainerAction() throws Exception {
    runtimes.close(); // its own sweep for leftovers runs in the background: not to race with it
    String leftover = "hpcw-leftover-" + System.nanoTime();
    long deadPid = deadPid();
    podman(
        "create",
        "--name=" + leftover,
        "--pull=never",
        "--label=" + ContainerSettings.PID_LABEL + "=" + deadPid,
        "--label=" + ContainerSettings.JOB_LABEL + "=" + owner,
        image);
    assertThat(containersOf(owner)).contains(leftover);

    try (ActionRuntimes again =
        new ActionRuntimes(
            RuntimeConfig.defaults(work.resolve("again"), 512),
            new ContainerSettings("podman", null, owner))) {
      assertThat(again.invoke(spec("first", image), input("{\"op\":\"echo\"}")).status())
          .isEqualTo(ActivationStatus.SUCCESS);
      await().atMost(60, TimeUnit.SECONDS).until(() -> !containersOf(owner).contains(leftover));
    }
  }

  @Test
  void anImageIsLoadedFromTheImageDirectoryAndAWritableArchiveIsRefused() throws Exception {
    String loaded = "localhost/hpcwhisk-test/from-dir:" + System.nanoTime();
    Path dir = Files.createDirectories(work.resolve("images"));
    Path archive = dir.resolve(loaded.replaceAll("[/:]", "_") + ".tar");
    podman("tag", image, loaded);
    podman("save", "--quiet", "--output", archive.toString(), loaded);
    podman("rmi", loaded);
    try (ActionRuntimes withDir =
        new ActionRuntimes(
            RuntimeConfig.defaults(work.resolve("dir"), 512),
            new ContainerSettings("podman", dir, owner))) {
      Files.setPosixFilePermissions(
          archive, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
      ActivationResult refused = withDir.invoke(spec("dir", loaded), input("{\"op\":\"echo\"}"));
      Files.setPosixFilePermissions(
          archive, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      ActivationResult result = withDir.invoke(spec("dir", loaded), input("{\"op\":\"echo\"}"));

      assertThat(refused.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
      assertThat(refused.errorMessage().orElse("")).contains("writable by group or others");
      assertThat(result.status()).as(result.toString()).isEqualTo(ActivationStatus.SUCCESS);
    } finally {
      podmanQuiet("rmi", "--force", loaded);
    }
  }

  private static long deadPid() {
    long pid = 4_000_000;
    while (ProcessHandle.of(pid).isPresent()) {
      pid++;
    }
    return pid;
  }

  /** Names of the containers labelled with this test's owner (job id). */
  static List<String> containersOf(String owner) {
    try {
      String out =
          podman(
              "ps",
              "--all",
              "--filter",
              "label=" + ContainerSettings.JOB_LABEL + "=" + owner,
              "--format",
              "{{.Names}}");
      List<String> names = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (!line.isBlank()) {
          names.add(line.strip());
        }
      }
      return names;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String podman(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("podman"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(command + " failed: " + out);
    }
    return out;
  }

  private static void podmanQuiet(String... args) {
    try {
      podman(args);
    } catch (Exception e) {
      // clean-up only
    }
  }
}
