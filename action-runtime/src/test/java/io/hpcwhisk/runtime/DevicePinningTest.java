package io.hpcwhisk.runtime;

import static io.hpcwhisk.runtime.TestActions.input;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.testkit.Required;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runtimes of actions that ask for cores or GPUs are pinned to distinct cores of the pool and see
 * only their own GPU ids, in real node processes (the pool here: this machine's allowed CPUs and
 * two fake GPU ids).
 */
class DevicePinningTest {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Returns what the runtime sees: its allowed CPUs and CUDA_VISIBLE_DEVICES. */
  static final String PROBE =
      "const fs = require('fs');"
          + " function main(p) {"
          + "  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\\n')"
          + "    .find(l => l.startsWith('Cpus_allowed_list:'));"
          + "  const until = Date.now() + (p.holdMs || 0); while (Date.now() < until) {}"
          + "  return { cpus: line.split(':')[1].trim(),"
          + "    cuda: process.env.CUDA_VISIBLE_DEVICES === undefined ? null"
          + "      : process.env.CUDA_VISIBLE_DEVICES }; }";

  @TempDir Path work;
  ActionRuntimes runtimes;

  ActionRuntimes start(List<Integer> cores, List<String> gpus) {
    runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(work.resolve("rt"), 4096).withSandbox(RuntimeConfig.Sandbox.OFF),
            new DevicePool(cores, gpus));
    return runtimes;
  }

  @AfterEach
  void stop() {
    if (runtimes != null) {
      runtimes.close();
    }
  }

  static ActionSpec probe(String name, int cores, int gpus) {
    return ActionSpec.text("guest/" + name + "@1", "nodejs:20", PROBE)
        .withLimits(ActionLimits.defaults().withDevices(cores, gpus));
  }

  static JsonNode result(ActivationResult r) throws Exception {
    assertThat(r.status()).as(r.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
    return JSON.readTree(r.resultJson());
  }

  static List<Integer> cpus(JsonNode result) {
    return DevicePool.parseCpuList(result.get("cpus").asText());
  }

  @Test
  void aOneCoreActionSeesOneCpuAndATwoCoreActionTwo() throws Exception {
    List<Integer> allowed = DevicePool.allowedCpus();
    requireTwoCpus(allowed);
    start(allowed.subList(0, 2), List.of());

    List<Integer> one = cpus(result(runtimes.invoke(probe("one", 1, 0), input("{}"))));
    List<Integer> two = cpus(result(runtimes.invoke(probe("two", 2, 0), input("{}"))));
    List<Integer> free = cpus(result(runtimes.invoke(probe("free", 0, 0), input("{}"))));

    assertThat(one).hasSize(1).isSubsetOf(allowed.subList(0, 2));
    assertThat(two).containsExactlyElementsOf(allowed.subList(0, 2));
    assertThat(free).as("an action that asks for no cores is not pinned").isEqualTo(allowed);
  }

  @Test
  void twoConcurrentOneCoreOneGpuRuntimesGetDistinctCoresAndGpus() throws Exception {
    List<Integer> allowed = DevicePool.allowedCpus();
    requireTwoCpus(allowed);
    start(allowed.subList(0, 2), List.of("0", "1"));
    ActionSpec spec = probe("gpu", 1, 1);
    CountDownLatch both = new CountDownLatch(2);
    List<CompletableFuture<ActivationResult>> runs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String id = "a" + i;
      runs.add(
          CompletableFuture.supplyAsync(
              () -> {
                both.countDown();
                try {
                  both.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return runtimes.invoke(spec, input(id, "{\"holdMs\": 1500}"));
              }));
    }
    JsonNode first = result(runs.get(0).get(60, TimeUnit.SECONDS));
    JsonNode second = result(runs.get(1).get(60, TimeUnit.SECONDS));

    assertThat(List.of(first.get("cuda").asText(), second.get("cuda").asText()))
        .containsExactlyInAnyOrder("0", "1");
    assertThat(cpus(first)).hasSize(1);
    assertThat(cpus(second)).hasSize(1).doesNotContainAnyElementsOf(cpus(first));
    JsonNode cpuOnly = result(runtimes.invoke(probe("cpu-only", 0, 0), input("{}")));
    assertThat(cpuOnly.get("cuda").asText())
        .as("a runtime without GPUs on a GPU pilot sees none")
        .isEmpty();
  }

  @Test
  void aThirdGpuRuntimeOnATwoGpuPoolIsRefusedWhileTwoAreBusyAndAnIdleOneIsEvictedForIt()
      throws Exception {
    start(List.of(), List.of("0", "1"));
    ActionSpec spec = probe("gpu-a", 0, 2);
    JsonNode a = result(runtimes.invoke(spec, input("{}")));
    assertThat(a.get("cuda").asText()).isEqualTo("0,1");
    // the idle runtime holding both GPUs is closed to make room for another action's runtime
    JsonNode b = result(runtimes.invoke(probe("gpu-b", 0, 1), input("{}")));
    assertThat(b.get("cuda").asText()).isIn("0", "1");
    assertThat(runtimes.devices().describeFree()).contains("1 of 2 GPUs free");
  }

  @Test
  void anActionThatWidensItsAffinityKeepsItForItsOwnRunOnlyAndItsRuntimeIsDiscarded()
      throws Exception {
    List<Integer> allowed = DevicePool.allowedCpus();
    requireTwoCpus(allowed);
    start(allowed.subList(0, 2), List.of());
    String all = allowed.get(0) + "," + allowed.get(1);
    ActionSpec widen =
        ActionSpec.text(
                "guest/widen@1",
                "nodejs:20",
                "const cp = require('child_process'); const fs = require('fs');"
                    + " function main(p) {"
                    + "  if (p.widen) { try { cp.execFileSync('taskset', ['-a', '-p', '-c', '"
                    + all
                    + "', String(process.pid)]); } catch (e) { return { error: String(e) }; } }"
                    + "  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\\n')"
                    + "    .find(l => l.startsWith('Cpus_allowed_list:'));"
                    + "  return { cpus: line.split(':')[1].trim() }; }")
            .withLimits(ActionLimits.defaults().withDevices(1, 0));

    ActivationResult attack = runtimes.invoke(widen, input("{\"widen\": true}"));
    ActivationResult next = runtimes.invoke(widen, input("{}"));

    // Without a cpuset cgroup nothing stops sched_setaffinity on oneself: the attacking run does
    // see both CPUs (with Slurm's cgroup plugin it could not leave the job's cores). What holds:
    // the
    // runtime is not used again, the escape is counted, and the next run is pinned to one core.
    assertThat(cpus(result(attack))).hasSize(2);
    assertThat(runtimes.affinityEscapes()).isEqualTo(1);
    assertThat(next.cold()).isTrue();
    assertThat(cpus(result(next))).hasSize(1);
    assertThat(runtimes.devices().describeFree()).startsWith("1 of 2 cores,");
  }

  /** The pinning tests need two CPUs this process may use. */
  static void requireTwoCpus(List<Integer> allowed) {
    Required.on(allowed.size() >= 2, "needs two allowed CPUs, this process has " + allowed);
  }
}
