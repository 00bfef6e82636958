package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.testkit.SandboxProbe;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/hpc-whisk up} as a user runs it (non-interactive: {@code --for}): it reaches the live
 * state (a pilot registered), the invocation examples it prints work as printed (curl and the
 * openwhisk npm client, run through bash), and SIGTERM stops everything it started (its own local
 * cluster's daemons included).
 */
@Tag("slurm")
class UpCommandIT {

  @TempDir Path dir;

  @Test
  void upReachesTheLiveStateItsExamplesWorkAndSigtermStopsEverything() throws Exception {
    boolean slurm =
        Files.isExecutable(Path.of("/usr/sbin/slurmctld")) || SystemFixture.onPath("slurmctld");
    boolean node =
        SystemFixture.onPath("node")
            && Files.isDirectory(SystemFixture.HOME.resolve("e2e/node_modules/openwhisk"));
    if ("true".equals(System.getenv("CI"))) {
      assertThat(slurm && node)
          .as("Slurm, node and `npm ci --prefix e2e` are required in CI")
          .isTrue();
    }
    assumeTrue(slurm && node, "Slurm or node/e2e/node_modules missing; run bin/install-deps");

    int port = SystemFixture.freePort();
    ProcessBuilder pb =
        new ProcessBuilder(
                SystemFixture.HOME.resolve("bin/hpc-whisk").toString(),
                "up",
                "--dir",
                dir.toString(),
                "--port",
                Integer.toString(port),
                "--nodes",
                "2",
                "--for",
                "5m")
            .redirectErrorStream(true);
    pb.environment().put("HPC_WHISK_NO_BUILD", "1");
    Process up = pb.start();
    up.getOutputStream().close();
    List<String> out = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  out.add(line);
                }
              } catch (IOException e) {
                out.add("(read failed: " + e + ")");
              }
            },
            "up-output");
    reader.start();
    try {
      await()
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  !up.isAlive()
                      || out.stream().anyMatch(l -> l.matches(".*registered: healthy [1-9].*")));
      assertThat(up.isAlive())
          .as("hpc-whisk up is running; output:%n%s", String.join("\n", out))
          .isTrue();

      List<String> examples = examples(out);
      assertThat(examples).as("printed examples").hasSizeGreaterThanOrEqualTo(2);
      for (String example : examples) {
        Process p = new ProcessBuilder("bash", "-c", example).redirectErrorStream(true).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(
            "UpCommandIT: "
                + example.lines().findFirst().orElse("")
                + " ...\n  -> "
                + answer.strip());
        assertThat(answer).as("answer of%n%s", example).contains("Hello, Slurm!");
        assertThat(p.exitValue()).isZero();
      }
      // the demo actions are in the package demo: the guest's own first "hello" is not a 409
      var mine =
          SystemFixture.call(
              "PUT",
              "http://127.0.0.1:" + port + "/api/v1/namespaces/guest/actions/hello",
              "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main() { return {}; }\"}}");
      assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
      actionsInUpsPilotsAreSandboxed("http://127.0.0.1:" + port, dir.resolve("cluster"));
    } finally {
      up.toHandle()
          .destroy(); // SIGTERM to its pid (keeps our end of its output open); its hook stops the
      // rest
      boolean ended = up.waitFor(90, TimeUnit.SECONDS);
      if (!ended) {
        up.destroyForcibly();
      }
      reader.join(5000);
      System.out.println(
          "UpCommandIT: last lines:\n"
              + String.join("\n", out.subList(Math.max(0, out.size() - 12), out.size())));
      assertThat(ended).as("hpc-whisk up ended after SIGTERM").isTrue();
    }
    int stopping = out.indexOf("hpc-whisk up: stopping everything it started ...");
    assertThat(stopping).as("stop announced").isNotNegative();
    assertThat(out.subList(stopping + 1, out.size()))
        .as("what it printed while stopping")
        .filteredOn(l -> l.startsWith("hpc-whisk up: "))
        .containsExactly("hpc-whisk up: stopped.");
    assertThat(up.exitValue()).as("exit code of hpc-whisk up after SIGTERM").isIn(0, 143);
    assertThat(new LocalCluster(dir.resolve("cluster")).isRunning())
        .as("its cluster's daemons stopped")
        .isFalse();
  }

  /**
   * What an action of a pilot that {@code up} started finds (issue 20): no capabilities, not root,
   * the host's and the cluster's Munge key and slurm.conf unreadable, no process environment
   * holding a pilot credential, no other action's files.
   */
  private static void actionsInUpsPilotsAreSandboxed(String base, Path cluster) throws Exception {
    String clusterKey = cluster.resolve("munge/key/munge.key").toString();
    String clusterConf = cluster.resolve("slurm.conf").toString();
    assertThat(Files.exists(Path.of(clusterKey)))
        .as("the cluster's munge key exists on the host")
        .isTrue();
    SystemFixture.putAction(
        base,
        "neighbour",
        "nodejs:20",
        "function main() { require('fs').writeFileSync(process.env.HOME + '/neighbour.txt',"
            + " 'secret'); return { home: process.env.HOME }; }");
    var neighbour =
        SystemFixture.call(
            "POST",
            base + "/api/v1/namespaces/guest/actions/neighbour?blocking=true" + "&result=true",
            "{}");
    assertThat(neighbour.statusCode()).as(neighbour.body()).isEqualTo(200);
    SystemFixture.putAction(
        base,
        "probe",
        "python:3",
        SandboxProbe.python(
            List.of("(sub|job)-[A-Za-z0-9_@-]{4,}\\."), // a pilot credential: SCOPE.MAC
            Map.of(
                "hostKey",
                "/etc/munge/munge.key",
                "clusterKey",
                clusterKey,
                "slurmConf",
                clusterConf),
            Map.of()));
    var probe =
        SystemFixture.call(
            "POST",
            base + "/api/v1/namespaces/guest/actions/probe?blocking=true&result=true",
            "{}");
    System.out.println("UpCommandIT: what an action finds in up's pilot: " + probe.body());
    assertThat(probe.statusCode()).as(probe.body()).isEqualTo(200);
    var r = Json.MAPPER.readTree(probe.body());
    assertThat(r.get("cap").asText()).as("CapEff in /proc/self/status").matches("0+");
    assertThat(r.get("uid").asInt()).as("uid").isNotZero();
    assertThat(r.get("leaked"))
        .as("processes whose environment holds a pilot credential")
        .isEmpty();
    assertThat(r.get("readable").get("hostKey").asBoolean())
        .as("/etc/munge/munge.key readable")
        .isFalse();
    assertThat(r.get("readable").get("clusterKey").asBoolean())
        .as("the cluster's munge key readable")
        .isFalse();
    assertThat(r.get("readable").get("slurmConf").asBoolean())
        .as("the cluster's slurm.conf readable")
        .isFalse();
    assertThat(r.get("neighbours")).as("other actions' runtime directories").isEmpty();
  }

  /**
   * The example commands between "Invoke the demo actions" and "Metrics:", continuation lines
   * joined; no wsk.
   */
  static List<String> examples(List<String> out) {
    List<String> commands = new ArrayList<>();
    boolean in = false;
    StringBuilder current = new StringBuilder();
    for (String line : out) {
      if (line.startsWith("Invoke the demo actions")) {
        in = true;
        continue;
      }
      if (!in) {
        continue;
      }
      if (line.startsWith("Metrics:")) {
        break;
      }
      current.append(line).append('\n');
      if (!line.endsWith("\\")) {
        String command = current.toString().strip();
        if (!command.startsWith("wsk ")) {
          commands.add(command);
        }
        current.setLength(0);
      }
    }
    return commands;
  }
}
