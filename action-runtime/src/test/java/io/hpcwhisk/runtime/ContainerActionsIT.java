package io.hpcwhisk.runtime;

import static io.hpcwhisk.runtime.TestActions.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.runtime.container.ContainerSettings;
import io.hpcwhisk.testkit.ContainerTestImage;
import io.hpcwhisk.testkit.LocalAttacker;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
        Map.of(),
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
  void byDefaultTheContainerHasNoNetworkAtAll() throws Exception {
    try (ServerSocket service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket onNode = nodeService()) {
      ActionSpec spec = spec("net", image);

      JsonNode interfaces =
          runtimes.invoke(spec, input("{\"op\":\"ls\",\"path\":\"/sys/class/net\"}")).result();
      JsonNode gateway = runtimes.invoke(spec, input("{\"op\":\"gateway\"}")).result();
      JsonNode loopback = connect(runtimes, spec, "127.0.0.1", service.getLocalPort());
      JsonNode node =
          onNode == null
              ? null
              : connect(
                  runtimes, spec, onNode.getInetAddress().getHostAddress(), onNode.getLocalPort());

      assertThat(interfaces.path("entries").toString())
          .as("only its own loopback: " + interfaces)
          .isEqualTo("[\"lo\"]");
      assertThat(gateway.path("gateway").isNull()).as(gateway.toString()).isTrue();
      assertThat(loopback.path("connected").asBoolean()).as(loopback.toString()).isFalse();
      if (node != null) {
        assertThat(node.path("connected").asBoolean())
            .as("a service on the node's address " + onNode.getInetAddress() + ": " + node)
            .isFalse();
      }
    }
  }

  @Test
  void withOutboundNetworkTheContainerConnectsOutButNotToTheNodesLoopback() throws Exception {
    try (ActionRuntimes outbound =
            new ActionRuntimes(
                RuntimeConfig.defaults(work.resolve("out"), 512),
                new ContainerSettings("podman", null, owner, "outbound"));
        ServerSocket service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket onNode = nodeService()) {
      ActionSpec spec = spec("outbound", image);
      String gateway =
          outbound.invoke(spec, input("{\"op\":\"gateway\"}")).result().path("gateway").asText();

      JsonNode loopback = connect(outbound, spec, "127.0.0.1", service.getLocalPort());
      JsonNode viaGateway = connect(outbound, spec, gateway, service.getLocalPort());
      JsonNode out =
          onNode == null
              ? null
              : connect(
                  outbound, spec, onNode.getInetAddress().getHostAddress(), onNode.getLocalPort());

      assertThat(gateway).as("slirp4netns's gateway").isEqualTo("10.0.2.2");
      assertThat(loopback.path("connected").asBoolean()).as(loopback.toString()).isFalse();
      assertThat(viaGateway.path("connected").asBoolean())
          .as("the node's loopback through the gateway: " + viaGateway)
          .isFalse();
      if (out != null) {
        assertThat(out.path("connected").asBoolean())
            .as("outgoing to " + onNode.getInetAddress() + ": " + out)
            .isTrue();
      }
      assertThat(podman("inspect", "--format", "{{json .NetworkSettings.Ports}}", only(owner)))
          .as("no port published")
          .isIn("{}\n", "null\n", "{}", "null");
    }
  }

  @Test
  void aLocalUserCannotReachAWarmContainersPortNorEnterItsNamespace() throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    ActionSpec spec = spec("victim-port", image);
    assertThat(runtimes.invoke(spec, input("{\"op\":\"echo\"}")).status())
        .isEqualTo(ActivationStatus.SUCCESS);
    String name = only(owner);
    long pid = Long.parseLong(podman("inspect", "--format", "{{.State.Pid}}", name).strip());
    long conmon =
        Long.parseLong(podman("inspect", "--format", "{{.State.ConmonPid}}", name).strip());
    List<ProcessHandle> forwarding =
        ProcessHandle.current()
            .descendants()
            .filter(p -> p.info().command().orElse("").endsWith("socat"))
            .toList();
    assertThat(forwarding).as("the pilot's forwarder runs").hasSize(1);
    List<Long> forwarders = forwarding.stream().map(ProcessHandle::pid).toList();
    String listen =
        Arrays.stream(forwarding.get(0).info().arguments().orElseThrow())
            .filter(a -> a.startsWith("UNIX-LISTEN:"))
            .findFirst()
            .orElseThrow();
    Path socket = Path.of(listen.substring("UNIX-LISTEN:".length()).split(",")[0]);
    Path dir = socket.getParent();
    String run = "{\"value\":{\"op\":\"echo\",\"stolen\":1}}";
    String init = "{\"value\":{\"name\":\"evil\",\"main\":\"main\",\"code\":\"x\"}}";

    var viaSocket =
        attacker.run(
            Duration.ofSeconds(60),
            "curl",
            "-sS",
            "-m",
            "10",
            "--unix-socket",
            socket.toString(),
            "-XPOST",
            "-d",
            run,
            "http://localhost/run");
    var initViaSocket =
        attacker.run(
            Duration.ofSeconds(60),
            "curl",
            "-sS",
            "-m",
            "10",
            "--unix-socket",
            socket.toString(),
            "-XPOST",
            "-d",
            init,
            "http://localhost/init");
    var enter =
        attacker.run(
            Duration.ofSeconds(60),
            "nsenter",
            "--net=/proc/" + pid + "/ns/net",
            "--",
            "curl",
            "-sS",
            "-m",
            "10",
            "-XPOST",
            "-d",
            run,
            "http://127.0.0.1:8080/run");
    var enterUser =
        attacker.run(
            Duration.ofSeconds(60),
            "nsenter",
            "--target",
            Long.toString(pid),
            "--user",
            "--net",
            "--preserve-credentials",
            "--",
            "true");
    var exec = attacker.run(Duration.ofSeconds(120), "podman", "exec", name, "true");
    var stat = attacker.run(Duration.ofSeconds(60), "stat", socket.toString());
    var rootStore =
        attacker.run(
            Duration.ofSeconds(120),
            "podman",
            "--root",
            "/var/lib/containers/storage",
            "ps",
            "--all");
    String listening = run("ss", "-H", "-l", "-t", "-n", "-p");

    assertThat(Files.getPosixFilePermissions(dir))
        .containsExactlyInAnyOrder(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE);
    assertThat(Files.exists(socket)).as("the forwarder's socket").isTrue();
    for (var attempt : List.of(viaSocket, initViaSocket, enter, enterUser, exec, stat)) {
      assertThat(attempt.exitCode()).as(attempt.all()).isNotZero();
      assertThat(attempt.all()).doesNotContain("\"runs\"").doesNotContain("\"ok\"");
    }
    assertThat(stat.all())
        .as("the socket's directory is closed to others")
        .contains("Permission denied");
    assertThat(enter.all()).containsIgnoringCase("permission denied");
    assertThat(rootStore.all()).doesNotContain(name);
    for (long p : concat(List.of(pid, conmon), forwarders)) {
      assertThat(listening)
          .as("no TCP port on the node belongs to the container's processes")
          .doesNotContain("pid=" + p + ",");
    }
    assertThat(listening).doesNotContain("rootlessport");
    JsonNode after = runtimes.invoke(spec, input("{\"op\":\"echo\"}")).result();
    assertThat(after.path("runs").asInt())
        .as("the attacker's /run and /init never reached the container: " + after)
        .isEqualTo(2);
    assertThat(after.path("init").path("main").asText()).isEqualTo("main");
  }

  @Test
  void warmCallLatency() throws Exception {
    ActionSpec spec = spec("latency", image);
    assertThat(runtimes.invoke(spec, input("{\"op\":\"echo\"}")).status())
        .isEqualTo(ActivationStatus.SUCCESS);
    int n = 200;
    long[] micros = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      ActivationResult r = runtimes.invoke(spec, input("{\"op\":\"echo\"}"));
      micros[i] = (System.nanoTime() - t0) / 1000;
      assertThat(r.cold()).isFalse();
    }
    Arrays.sort(micros);
    System.out.printf(
        "warm container call (echo action, %d calls): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms;"
            + " loadavg %s%n",
        n,
        micros[n / 2] / 1000.0,
        micros[n * 9 / 10] / 1000.0,
        micros[n * 99 / 100] / 1000.0,
        Files.readString(Path.of("/proc/loadavg")).strip());
    assertThat(micros[n / 2]).isPositive();
  }

  private static List<Long> concat(List<Long> a, List<Long> b) {
    List<Long> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String only(String owner) {
    List<String> names = containersOf(owner);
    assertThat(names).hasSize(1);
    return names.get(0);
  }

  private static JsonNode connect(ActionRuntimes on, ActionSpec spec, String host, int port) {
    return on.invoke(
            spec, input("{\"op\":\"connect\",\"host\":\"" + host + "\",\"port\":" + port + "}"))
        .result();
  }

  /**
   * A service on the node's first non-loopback IPv4 address (what an outgoing connection can reach
   * here without internet), or null when the node has none.
   */
  private static ServerSocket nodeService() throws IOException {
    for (var nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (var address : Collections.list(nif.getInetAddresses())) {
        if (address instanceof Inet4Address) {
          return new ServerSocket(0, 50, address);
        }
      }
    }
    return null;
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  @Test
  void aLocalUserCannotSeeOrRemoveThePilotsContainers() throws Exception {
    LocalAttacker attacker = LocalAttacker.ensure();
    ActionSpec spec = spec("victim", image);
    assertThat(runtimes.invoke(spec, input("{\"op\":\"echo\"}")).status())
        .isEqualTo(ActivationStatus.SUCCESS);
    String name = containersOf(owner).get(0);

    var listed = attacker.run(Duration.ofSeconds(120), "podman", "ps", "--all");
    var removed =
        attacker.run(Duration.ofSeconds(120), "podman", "rm", "--force", "--time=0", name);
    var exec = attacker.run(Duration.ofSeconds(120), "podman", "exec", name, "true");
    var killed = attacker.run(Duration.ofSeconds(60), "kill", "-9", "-1");

    assertThat(listed.all()).doesNotContain(name);
    assertThat(exec.exitCode()).as("podman exec: " + exec.all()).isNotZero();
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
      Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-rw-rw-"));
      ActivationResult refused = withDir.invoke(spec("dir", loaded), input("{\"op\":\"echo\"}"));
      Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-r--r--"));
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
