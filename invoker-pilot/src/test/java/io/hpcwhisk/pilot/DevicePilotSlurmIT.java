package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.SlurmInstallation;
import io.hpcwhisk.protocol.ActionLimitsSpec;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.runtime.DevicePool;
import io.hpcwhisk.testkit.FakeBalancer;
import io.hpcwhisk.testkit.PilotJobs;
import io.hpcwhisk.testkit.Required;
import io.hpcwhisk.testkit.SlurmEnv;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real pilot on a real local cluster started with {@code --gpus 2} (one node, 2 CPUs, two fake
 * GPUs as GRES): the pilot job asks for the node's GPUs ({@code --gres=gpu:2}) as the harvest
 * controller does, registers its cores and the GPU ids Slurm gave it, and its runtimes are pinned:
 * a 1-core action sees one allowed CPU, a 2-core action two; two concurrent 1-GPU actions see
 * different {@code CUDA_VISIBLE_DEVICES}. Each action returns what it sees from inside ({@code
 * /proc/self/status}, its environment).
 */
@Tag("slurm")
class DevicePilotSlurmIT {

  static final String TOKEN = "gpu-it-token";

  static final String PROBE =
      "const fs = require('fs');"
          + " function main(p) {"
          + "  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\\n')"
          + "    .find(l => l.startsWith('Cpus_allowed_list:'));"
          + "  const until = Date.now() + (p.holdMs || 0); while (Date.now() < until) {}"
          + "  return { cpus: line.split(':')[1].trim(),"
          + "    cuda: process.env.CUDA_VISIBLE_DEVICES === undefined ? null"
          + "      : process.env.CUDA_VISIBLE_DEVICES }; }";

  @TempDir static Path dir;
  static LocalCluster cluster;
  static SlurmEnv slurm;
  static FakeBalancer balancer;

  @BeforeAll
  static void up() throws Exception {
    cluster = new LocalCluster(dir.resolve("c"));
    Required.on(
        SlurmInstallation.forVersion(SlurmInstallation.DEFAULT_VERSION).missing().isEmpty(),
        "Slurm 22.05 and munge");
    LocalClusterSpec spec =
        new LocalClusterSpec(cluster.dir(), 1, 2, 2000, 10, OptionalInt.empty(), 2);
    cluster.up(
        spec,
        false,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        false);
    slurm = SlurmEnv.of(cluster, spec);
    balancer = FakeBalancer.start(TOKEN);
  }

  @AfterAll
  static void down() throws Exception {
    if (balancer != null) {
      balancer.close();
    }
    if (cluster != null) {
      cluster.down(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }
  }

  static ActivationRequest probe(String id, String action, int cores, int gpus, int holdMs) {
    return new ActivationRequest(
        id,
        "guest",
        "/guest/" + action,
        action + "@1",
        "nodejs:20",
        PROBE,
        false,
        "main",
        Map.of(),
        new ActionLimitsSpec(30_000, 256, 1 << 20, 1 << 20, cores, gpus),
        PilotProtocol.mapper().createObjectNode().put("holdMs", holdMs),
        System.currentTimeMillis() + 30_000,
        "http://127.0.0.1:1",
        null,
        System.currentTimeMillis(),
        1,
        false);
  }

  static JsonNode result(String id) {
    await().atMost(Duration.ofSeconds(90)).until(() -> balancer.outcome(id).isPresent());
    ActivationOutcome outcome = balancer.outcome(id).orElseThrow();
    assertThat(outcome.status())
        .as(outcome.result().toString())
        .isEqualTo(ActivationStatus.SUCCESS);
    return outcome.result();
  }

  @Test
  void aGpuPilotAdvertisesItsCoresAndGpusAndPinsEachRuntimeToItsOwn() throws Exception {
    String job =
        PilotJobs.submit(
            slurm,
            balancer.uri().toString(),
            TOKEN,
            Map.of(),
            "-p",
            "whisk",
            "--time=5",
            "--gres=gpu:2");
    String id = "slurm-" + job;
    await()
        .atMost(slurm.timing().scheduling().plus(Duration.ofSeconds(60)))
        .until(() -> balancer.pilot(id).isPresent());
    PilotMessage.Register register = balancer.pilot(id).orElseThrow().register().orElseThrow();
    assertThat(register.gpuIds()).as(PilotJobs.output(slurm, job)).containsExactly("0", "1");
    assertThat(register.cpus()).isEqualTo(2);

    balancer.activate(id, probe("one-core", "one", 1, 0, 0));
    assertThat(DevicePool.parseCpuList(result("one-core").get("cpus").asText())).hasSize(1);
    balancer.activate(id, probe("two-cores", "two", 2, 0, 0));
    assertThat(DevicePool.parseCpuList(result("two-cores").get("cpus").asText())).hasSize(2);

    balancer.activate(id, probe("gpu-a", "gpu", 1, 1, 2_000));
    balancer.activate(id, probe("gpu-b", "gpu", 1, 1, 2_000));
    JsonNode a = result("gpu-a");
    JsonNode b = result("gpu-b");
    assertThat(List.of(a.get("cuda").asText(), b.get("cuda").asText()))
        .containsExactlyInAnyOrder("0", "1");
    assertThat(DevicePool.parseCpuList(a.get("cpus").asText()))
        .hasSize(1)
        .doesNotContainAnyElementsOf(DevicePool.parseCpuList(b.get("cpus").asText()));

    balancer.activate(id, probe("no-gpu", "plain", 0, 0, 0));
    assertThat(result("no-gpu").get("cuda").asText())
        .as("an action that asks for no GPU sees none on a GPU pilot")
        .isEmpty();
  }
}
