package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.SlurmInstallation;
import io.hpcwhisk.runtime.DevicePool;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.testkit.Required;
import io.hpcwhisk.testkit.SlurmEnv;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system on a local cluster with fake GPUs ({@code --gpus 2}, one node of 2 CPUs): the
 * server's harvest controller submits a pilot that holds the node's GPUs ({@code --gres=gpu:2} from
 * the node's GRES), the pilot registers its cores and GPU ids, and actions created and invoked with
 * the official {@code openwhisk} npm client ({@code e2e/devices.js}) with {@code limits.cpu} and
 * the annotation {@code gpus} are routed to it and see only their own CPUs and GPU ids (each action
 * returns its {@code Cpus_allowed_list}, i.e. its taskset pinning, and {@code
 * CUDA_VISIBLE_DEVICES}); a GPU count above the largest pilot's is refused with 400.
 */
@Tag("slurm")
class DevicesEndToEndIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String PROBE =
      "const fs = require('fs');\n"
          + "function main(p) {\n"
          + "  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\\n')\n"
          + "    .find(l => l.startsWith('Cpus_allowed_list:'));\n"
          + "  const until = Date.now() + (p.holdMs || 0); while (Date.now() < until) {}\n"
          + "  return { cpus: line.split(':')[1].trim(),\n"
          + "    cuda: process.env.CUDA_VISIBLE_DEVICES === undefined ? null\n"
          + "      : process.env.CUDA_VISIBLE_DEVICES };\n}\n";

  @TempDir Path dir;

  /**
   * Runs {@code e2e/devices.js} (the official {@code openwhisk} npm client) with {@code steps}; one
   * JSON node per step, each with its {@code results}.
   */
  static List<JsonNode> npm(Path e2e, String base, List<Map<String, Object>> steps)
      throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("node", "devices.js", JSON.writeValueAsString(steps))
            .directory(e2e.toFile());
    builder.environment().put("OW_APIHOST", base);
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    assertThat(lines).as("one line per step: " + out).hasSize(steps.size());
    return lines;
  }

  static Map<String, Object> create(String name, Map<String, Object> extra) {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("op", "create");
    step.put("name", name);
    step.put("kind", "nodejs:20");
    step.put("code", PROBE);
    step.putAll(extra);
    return step;
  }

  static Map<String, Object> invoke(String name, Map<String, Object> params, int parallel) {
    return Map.of("op", "invoke", "name", name, "params", params, "parallel", parallel);
  }

  /** The results of one invoke step; each must be a success. */
  static List<JsonNode> results(JsonNode step) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : step.path("results")) {
      assertThat(r.has("result")).as(step.toString()).isTrue();
      out.add(r.path("result"));
    }
    return out;
  }

  @Test
  void gpuAndMultiCoreActionsRunOnAHarvestedGpuPilotWithTheirOwnDevices() throws Exception {
    Required.on(
        SlurmInstallation.forVersion(SlurmInstallation.DEFAULT_VERSION).missing().isEmpty(),
        "Slurm 22.05 and munge");
    Path e2e = SystemFixture.HOME.resolve("e2e");
    Required.on(
        SystemFixture.onPath("node") && Files.isDirectory(e2e.resolve("node_modules/openwhisk")),
        "node and e2e/node_modules/openwhisk (bin/install-deps)");
    LocalCluster cluster = new LocalCluster(dir.resolve("cluster"));
    LocalClusterSpec spec =
        new LocalClusterSpec(cluster.dir(), 1, 2, 2000, 10, OptionalInt.empty(), 2);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    cluster.up(spec, false, quiet, false);
    SystemServer server = null;
    try {
      SlurmEnv slurm = SlurmEnv.of(cluster, spec);
      int port = SystemFixture.freePort();
      String base = "http://127.0.0.1:" + port;
      HarvestConfig harvest = SystemFixture.harvestConfig(slurm, dir, "adaptive", Map.of());
      server = SystemFixture.start(port, dir.resolve("data"), harvest);

      List<Object> gpus = List.of(Map.of("key", "gpus", "value", 1));
      List<JsonNode> created =
          npm(
              e2e,
              base,
              List.of(
                  create("gpu", Map.of("limits", Map.of("cpu", 1), "annotations", gpus)),
                  create("one-core", Map.of("limits", Map.of("cpu", 1))),
                  create("two-cores", Map.of("limits", Map.of("cpu", 2))),
                  create("plain", Map.of())));
      for (JsonNode c : created) {
        assertThat(c.path("results").path(0).has("error")).as(c.toString()).isFalse();
      }
      assertThat(created.get(0).path("results").path(0).path("limits").path("cpu").asInt())
          .isEqualTo(1);
      assertThat(created.get(0).path("results").path(0).path("annotations").toString())
          .contains("\"gpus\"");
      assertThat(created.get(2).path("results").path(0).path("limits").path("cpu").asInt())
          .isEqualTo(2);

      // the first call waits until the controller's pilot (with the node's GPUs) is up
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  npm(e2e, base, List.of(invoke("gpu", Map.of(), 1)))
                      .get(0)
                      .path("results")
                      .path(0)
                      .has("result"));

      List<JsonNode> runs =
          npm(
              e2e,
              base,
              List.of(
                  invoke("gpu", Map.of("holdMs", 3000), 2),
                  invoke("one-core", Map.of(), 1),
                  invoke("two-cores", Map.of(), 1),
                  invoke("plain", Map.of(), 1),
                  create(
                      "three-gpus",
                      Map.of("annotations", List.of(Map.of("key", "gpus", "value", 3))))));
      List<JsonNode> both = results(runs.get(0));
      assertThat(both).hasSize(2);
      JsonNode ra = both.get(0);
      JsonNode rb = both.get(1);
      assertThat(List.of(ra.path("cuda").asText(), rb.path("cuda").asText()))
          .as("two concurrent 1-GPU activations on a 2-GPU pilot")
          .containsExactlyInAnyOrder("0", "1");
      assertThat(DevicePool.parseCpuList(ra.path("cpus").asText())).hasSize(1);
      assertThat(DevicePool.parseCpuList(rb.path("cpus").asText())).hasSize(1);
      assertThat(DevicePool.parseCpuList(results(runs.get(1)).get(0).path("cpus").asText()))
          .as("a 1-core action pinned to one core of the 2-core pilot")
          .hasSize(1);
      assertThat(DevicePool.parseCpuList(results(runs.get(2)).get(0).path("cpus").asText()))
          .as("a 2-core action pinned to both")
          .hasSize(2);
      assertThat(results(runs.get(3)).get(0).path("cuda").asText())
          .as("an action without GPUs sees none on the GPU pilot")
          .isEmpty();
      JsonNode tooMany = runs.get(4).path("results").path(0);
      assertThat(tooMany.path("statusCode").asInt()).as(tooMany.toString()).isEqualTo(400);
      assertThat(tooMany.toString()).contains("the maximum is 2 GPUs");
    } finally {
      if (server != null) {
        server.close();
      }
      cluster.down(quiet);
    }
  }
}
