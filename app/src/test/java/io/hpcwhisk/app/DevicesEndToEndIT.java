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
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system on a local cluster with fake GPUs ({@code --gpus 2}, one node of 2 CPUs): the
 * server's harvest controller submits a pilot that holds the node's GPUs ({@code --gres=gpu:2} from
 * the node's GRES), the pilot registers its cores and GPU ids, and actions created over the REST
 * API with {@code limits.cpu} and the annotation {@code gpus} are routed to it and see only their
 * own CPUs and GPU ids (each action returns its {@code Cpus_allowed_list} and {@code
 * CUDA_VISIBLE_DEVICES}).
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

  static void put(String base, String name, String extra) throws Exception {
    HttpResponse<String> r =
        SystemFixture.call(
            "PUT",
            base + "/api/v1/namespaces/guest/actions/" + name + "?overwrite=true",
            "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":"
                + UpSession.json(PROBE)
                + "}"
                + extra
                + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  static HttpResponse<String> invoke(String base, String name, String params) throws Exception {
    return SystemFixture.call(
        "POST",
        base + "/api/v1/namespaces/guest/actions/" + name + "?blocking=true&result=true",
        params);
  }

  static JsonNode result(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void gpuAndMultiCoreActionsRunOnAHarvestedGpuPilotWithTheirOwnDevices() throws Exception {
    Required.on(
        SlurmInstallation.forVersion(SlurmInstallation.DEFAULT_VERSION).missing().isEmpty(),
        "Slurm 22.05 and munge");
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

      put(base, "gpu", ",\"limits\":{\"cpu\":1},\"annotations\":[{\"key\":\"gpus\",\"value\":1}]");
      put(base, "one-core", ",\"limits\":{\"cpu\":1}");
      put(base, "two-cores", ",\"limits\":{\"cpu\":2}");
      put(base, "plain", "");

      // the first call waits until the controller's pilot (with the node's GPUs) is up
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> invoke(base, "gpu", "{}").statusCode() == 200);

      CompletableFuture<HttpResponse<String>> a =
          CompletableFuture.supplyAsync(() -> call(base, "gpu", "{\"holdMs\":3000}"));
      CompletableFuture<HttpResponse<String>> b =
          CompletableFuture.supplyAsync(() -> call(base, "gpu", "{\"holdMs\":3000}"));
      JsonNode ra = result(a.get());
      JsonNode rb = result(b.get());
      assertThat(List.of(ra.path("cuda").asText(), rb.path("cuda").asText()))
          .as("two concurrent 1-GPU activations on a 2-GPU pilot")
          .containsExactlyInAnyOrder("0", "1");
      assertThat(DevicePool.parseCpuList(ra.path("cpus").asText())).hasSize(1);

      assertThat(
              DevicePool.parseCpuList(result(invoke(base, "one-core", "{}")).path("cpus").asText()))
          .hasSize(1);
      assertThat(
              DevicePool.parseCpuList(
                  result(invoke(base, "two-cores", "{}")).path("cpus").asText()))
          .hasSize(2);
      assertThat(result(invoke(base, "plain", "{}")).path("cuda").asText())
          .as("an action without GPUs sees none on the GPU pilot")
          .isEmpty();

      HttpResponse<String> tooMany =
          SystemFixture.call(
              "PUT",
              base + "/api/v1/namespaces/guest/actions/three-gpus",
              "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return {}}\"},"
                  + "\"annotations\":[{\"key\":\"gpus\",\"value\":3}]}");
      assertThat(tooMany.statusCode()).isEqualTo(400);
      assertThat(tooMany.body()).contains("the maximum is 2 GPUs");
    } finally {
      if (server != null) {
        server.close();
      }
      cluster.down(quiet);
    }
  }

  private static HttpResponse<String> call(String base, String name, String params) {
    try {
      return invoke(base, name, params);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
