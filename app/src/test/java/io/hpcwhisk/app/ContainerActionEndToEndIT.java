package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.testkit.ContainerTestImage;
import io.hpcwhisk.testkit.Required;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container action end to end: the real server with its harvest controller on the local Slurm
 * cluster starts real pilot jobs; the official openwhisk npm client creates the action as {@code
 * wsk action create --docker IMAGE} does and invokes it; the pilot runs the locally built test
 * image ({@link ContainerTestImage}) with podman. Then the server stops, its pilots drain and exit,
 * and no container they started is left.
 */
@SlurmTest
class ContainerActionEndToEndIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theNpmClientCreatesAndInvokesAContainerActionAndThePilotsLeaveNoContainer(SlurmEnv slurm)
      throws Exception {
    ContainerTestImage.require();
    Path e2e = SystemFixture.HOME.resolve("e2e");
    Required.on(
        SystemFixture.onPath("node") && Files.isDirectory(e2e.resolve("node_modules/openwhisk")),
        "node and e2e/node_modules/openwhisk (bin/install-deps)");
    String image = ContainerTestImage.ensure();
    int port = SystemFixture.freePort();
    String base = "http://127.0.0.1:" + port;
    HarvestConfigHolder holder = new HarvestConfigHolder(slurm);
    List<String> started;
    try (SystemServer server = SystemFixture.start(port, dir.resolve("data"), holder.config(dir))) {
      // the first pilot is up when a blackbox-free probe runs (the harvest takes a while)
      SystemFixture.putAction(base, "probe", "python:default", "def main(a):\n  return {}\n");
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  SystemFixture.call(
                              "POST",
                              base + "/api/v1/namespaces/guest/actions/probe?blocking=true",
                              "{}")
                          .statusCode()
                      == 200);

      // more calls than the cluster has pilots: whichever way the balancer spreads them, some
      // pilot gets a second call of the action, and then runs it in its warm container
      List<String> calls = new ArrayList<>();
      for (int n = 1; n <= 8; n++) {
        calls.add("{\"op\":\"echo\",\"n\":" + n + "}");
      }
      calls.add("{\"op\":\"read\",\"path\":\"/etc/slurm/slurm.conf\"}");
      List<String> args = new ArrayList<>(List.of("boxed", image));
      args.addAll(calls);
      List<JsonNode> steps = npm(e2e, base, args.toArray(String[]::new));
      assertThat(steps.get(0).path("step").asText()).isEqualTo("create");
      assertThat(steps.get(0).has("error")).as(steps.get(0).toString()).isFalse();
      assertThat(steps).hasSize(1 + calls.size());
      JsonNode first = steps.get(1).path("activation");
      List<JsonNode> echoes = new ArrayList<>();
      for (int i = 1; i <= 8; i++) {
        echoes.add(steps.get(i).path("activation"));
      }
      JsonNode hostFile = steps.get(9).path("activation");
      assertThat(first.path("response").path("result").path("params").path("n").asInt())
          .isEqualTo(1);
      assertThat(first.path("logs").toString()).contains("stdout: echo");
      assertThat(first.path("annotations").toString()).contains("initTime");
      assertThat(echoes)
          .as("every call succeeds")
          .allMatch(a -> a.path("response").path("success").asBoolean());
      assertThat(echoes)
          .as("some call ran in a warm container (no initTime, its second run)")
          .anyMatch(
              a ->
                  !a.path("annotations").toString().contains("initTime")
                      && a.path("response").path("result").path("runs").asInt() >= 2);
      assertThat(hostFile.path("response").path("result").path("read").asBoolean())
          .as("the host's files are not in the container: " + hostFile)
          .isFalse();

      List<JsonNode> missing =
          npm(e2e, base, "missing", "localhost/hpcwhisk-test/not-there:1", "{}");
      JsonNode refused = missing.get(1);
      assertThat(refused.path("statusCode").asInt()).as(refused.toString()).isEqualTo(502);
      assertThat(refused.path("activation").path("response").path("status").asText())
          .isEqualTo("action developer error");
      assertThat(refused.toString())
          .contains("localhost/hpcwhisk-test/not-there:1")
          .doesNotContain("Exception");

      List<JsonNode> hostile = npm(e2e, base, "hostile", "--privileged", "{}");
      assertThat(hostile.get(0).path("statusCode").asInt())
          .as(hostile.get(0).toString())
          .isEqualTo(400);

      started = containers();
      assertThat(started).as("the warm container is up").isNotEmpty();
      for (String name : started) {
        assertThat(
                podman(
                    "inspect",
                    "--format",
                    "{{.HostConfig.NetworkMode}} {{len .NetworkSettings.Ports}}",
                    name))
            .as("the pilot's container has no network and publishes no port")
            .isEqualTo("none 0");
      }
    }
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(containers())
                    .as("every container the pilots started is removed when they exit")
                    .doesNotContainAnyElementsOf(started));
  }

  /** The harvest configuration of this test (the adaptive policy, as the e2e test). */
  private record HarvestConfigHolder(SlurmEnv slurm) {
    HarvestConfig config(Path dir) {
      return SystemFixture.harvestConfig(slurm, dir, "adaptive", Map.of());
    }
  }

  private static List<JsonNode> npm(Path e2e, String base, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", "container-action.js"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(e2e.toFile());
    builder.environment().put("OW_APIHOST", base);
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    List<JsonNode> steps = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        steps.add(JSON.readTree(line));
      }
    }
    System.out.println("[container e2e] " + steps);
    return steps;
  }

  private static String podman(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("podman"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out.strip();
  }

  /** Names of the containers pilots started (labelled with their process id). */
  private static List<String> containers() throws Exception {
    Process p =
        new ProcessBuilder(
                "podman",
                "ps",
                "--all",
                "--filter",
                "label=io.hpcwhisk.pilot-pid",
                "--format",
                "{{.Names}}")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    List<String> names = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        names.add(line.strip());
      }
    }
    return names;
  }
}
