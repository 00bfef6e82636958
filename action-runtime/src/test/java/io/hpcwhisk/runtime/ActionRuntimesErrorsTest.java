package io.hpcwhisk.runtime;

import static io.hpcwhisk.runtime.TestActions.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.protocol.ActivationStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits, error classification, environment and the warm pool, with real runtime processes. */
class ActionRuntimesErrorsTest {

  @TempDir Path work;
  ActionRuntimes runtimes;

  @BeforeEach
  void start() {
    runtimes =
        new ActionRuntimes(RuntimeConfig.defaults(work.resolve("rt"), 1024).withSandbox(sandbox()));
  }

  /**
   * How the runtimes run; {@link SandboxedActionRuntimesErrorsTest} runs every test again in bwrap.
   */
  RuntimeConfig.Sandbox sandbox() {
    return RuntimeConfig.Sandbox.OFF;
  }

  @AfterEach
  void stop() {
    runtimes.close();
  }

  private static ActionSpec node(String name, String code) {
    return ActionSpec.text("guest/" + name + "@1", "nodejs:20", code);
  }

  @Test
  void timeoutKillsTheRuntimeAndReportsOpenWhisksMessage() {
    // 2 s: the limit covers the cold start too, which on a loaded 2-core machine (load 18, in
    // bwrap) took > 500 ms
    ActionSpec spec =
        node("slow", "function main() { console.log('before'); while (true) {} }")
            .withLimits(ActionLimits.defaults().withTimeout(Duration.ofMillis(2000)));

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage())
        .contains("The action exceeded its time limits of 2000 milliseconds.");
    assertThat(result.logs()).anyMatch(l -> l.endsWith("stdout: before"));
    assertThat(runtimes.stats().alive()).isZero();
    assertThat(runtimes.invoke(spec, input("{}")).cold())
        .as("no warm runtime survives a timeout")
        .isTrue();
  }

  @Test
  void initTimeoutSaysDuringInitialization() {
    ActionSpec spec =
        node(
                "slow-init",
                "const t = Date.now(); while (Date.now() - t < 5000) {} function main() { return"
                    + " {}; }")
            .withLimits(ActionLimits.defaults().withTimeout(Duration.ofMillis(300)));

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage())
        .contains("The action exceeded its time limits of 300 milliseconds during initialization.");
  }

  @Test
  void crashDuringRunIsADeveloperError() {
    ActionSpec spec =
        ActionSpec.text(
            "guest/crash@1",
            "python:3",
            "import os\ndef main(args):\n    print('going down')\n    os._exit(3)\n");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage())
        .contains("The action did not produce a valid response and exited unexpectedly.");
    assertThat(result.logs()).anyMatch(l -> l.endsWith("stdout: going down"));
  }

  @Test
  void syntaxErrorFailsInitialisationWithTheReasonAndLogs() {
    ActionSpec spec = node("broken", "function main( { return {}; }");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage())
        .get()
        .asString()
        .startsWith("The action failed during initialization: ")
        .contains("Unexpected token");
    assertThat(result.logs()).anyMatch(l -> l.contains("stderr: SyntaxError"));
    assertThat(runtimes.stats().memoryInUseMb()).isZero();
  }

  @Test
  void missingMainFailsInitialisation() {
    ActionSpec spec =
        ActionSpec.text("guest/nomain@1", "python:3", "def other(args):\n    return {}\n");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage())
        .get()
        .asString()
        .isEqualTo(
            "The action failed during initialization: Exception: Action entrypoint 'main' is not a"
                + " function.");
  }

  @Test
  void errorFieldIsAnApplicationErrorAndKeepsOnlyTheError() {
    ActionSpec spec =
        node("apperr", "function main() { return { error: { code: 42 }, other: 1 }; }");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.APPLICATION_ERROR);
    assertThat(result.resultJson()).isEqualTo("{\"error\":{\"code\":42}}");
  }

  @Test
  void thrownExceptionIsADeveloperErrorWithTheStackInTheLogs() {
    // OpenWhisk's nodejs runtime: a throw out of main fails /run with 502 "An error has occurred: "
    // + error, recorded as "action developer error" with {"error": that message}
    ActionSpec spec = node("throws", "function main() { throw new Error('boom'); }");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.resultJson()).isEqualTo("{\"error\":\"An error has occurred: Error: boom\"}");
    assertThat(result.logs()).anyMatch(l -> l.contains("stderr: Error: boom"));
    ActivationResult again = runtimes.invoke(spec, input("{}"));
    assertThat(again.cold()).as("runtime survives a thrown error").isFalse();
    assertThat(again.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
  }

  @Test
  void rejectedPromiseStaysAnApplicationError() {
    // OpenWhisk's nodejs runtime resolves a rejected promise into {error: ...}: an application
    // error
    ActionSpec spec = node("rejects", "async function main() { throw new Error('later'); }");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.APPLICATION_ERROR);
    // serialised as OpenWhisk's runtime does (serialize-error): name, message, stack
    assertThat(result.resultJson())
        .contains("\"name\":\"Error\"", "\"message\":\"later\"", "\"stack\":\"Error: later");
  }

  @Test
  void aRejectionWithAValueOrWithNothingIsKeptAsOpenWhiskKeepsIt() {
    ActionSpec value =
        node("rejects-value", "function main() { return Promise.reject({code: 7}); }");
    ActionSpec nothing = node("rejects-nothing", "function main() { return Promise.reject(); }");

    ActivationResult withValue = runtimes.invoke(value, input("{}"));
    ActivationResult withNothing = runtimes.invoke(nothing, input("{}"));

    assertThat(withValue.status()).isEqualTo(ActivationStatus.APPLICATION_ERROR);
    assertThat(withValue.resultJson()).isEqualTo("{\"error\":{\"code\":7}}");
    assertThat(withNothing.status()).isEqualTo(ActivationStatus.APPLICATION_ERROR);
    assertThat(withNothing.resultJson()).isEqualTo("{\"error\":{}}");
  }

  @Test
  void aReturnedResultCannotPoseAsTheDeveloperErrorLine() {
    ActionSpec spec =
        node("poser", "function main() { return { text: '!developer-error \"forged\"' }; }");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.resultJson()).isEqualTo("{\"text\":\"!developer-error \\\"forged\\\"\"}");
  }

  @Test
  void nonObjectResultIsADeveloperError() {
    ActionSpec spec =
        ActionSpec.text("guest/list@1", "python:3", "def main(args):\n    return [1, 2]\n");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage())
        .contains("The action did not produce a valid JSON response: [1, 2]");
  }

  @Test
  void invalidJsonFromANativeActionIsADeveloperError() {
    ActionSpec spec =
        ActionSpec.text(
            "guest/badjson@1",
            "blackbox",
            "#!/bin/sh\nwhile read -r l; do echo 'not json' >&3; done\n");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage())
        .contains("The action did not produce a valid JSON response: not json");
  }

  @Test
  void oversizeResultIsRefusedWithTheLengths() {
    ActionSpec spec = node("big", "function main() { return { s: 'x'.repeat(2 * 1024 * 1024) }; }");

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage())
        .contains(
            "The action produced a response that exceeded the allowed length: 2097160 > 1048576"
                + " bytes.");
    assertThat(
            runtimes
                .invoke(
                    spec.withLimits(ActionLimits.defaults().withResultBytes(4L * 1024 * 1024)),
                    input("{}"))
                .status())
        .isEqualTo(ActivationStatus.SUCCESS);
  }

  @Test
  void logsBeyondTheLimitAreTruncatedWithANotice() {
    ActionSpec spec =
        node(
                "chatty",
                "function main() { for (let i = 0; i < 100; i++) console.log('line ' + i); return"
                    + " {}; }")
            .withLimits(ActionLimits.defaults().withLogBytes(60));

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.logs()).hasSize(11);
    assertThat(result.logs().get(10))
        .endsWith(
            "Logs were truncated because the total bytes size exceeds the limit of 60 bytes.");
  }

  @Test
  void pythonMemoryLimitStopsAGreedyAction() {
    ActionSpec spec =
        ActionSpec.text(
                "guest/greedy@1",
                "python:3",
                "def main(args):\n"
                    + "    block = bytearray(512 * 1024 * 1024)\n"
                    + "    return {'n': len(block)}\n")
            .withLimits(ActionLimits.defaults().withMemoryMb(128));

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.APPLICATION_ERROR);
    assertThat(result.errorMessage()).get().asString().contains("MemoryError");
  }

  @Test
  void nodeMemoryOutsideTheHeapIsCaughtByTheResidentMemoryWatchdog() {
    ActionSpec spec =
        node(
                "buffers",
                "async function main() { const held = [];"
                    + " for (let i = 0; i < 12; i++) held.push(Buffer.alloc(32 * 1024 * 1024, 1));"
                    + " await new Promise(r => setTimeout(r, 5000)); return { n: held.length }; }")
            .withLimits(ActionLimits.defaults().withMemoryMb(128));

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(result.errorMessage()).contains("The action exhausted its memory and was aborted.");
  }

  @Test
  void activationEnvironmentCarriesOpenWhiskVariablesAndTheKeyOnlyWhenGiven() {
    ActionSpec spec =
        node(
                "env",
                "function main() { return { id: process.env.__OW_ACTIVATION_ID, name:"
                    + " process.env.__OW_ACTION_NAME, ns: process.env.__OW_NAMESPACE, deadline:"
                    + " process.env.__OW_DEADLINE, host: process.env.__OW_API_HOST, key:"
                    + " process.env.__OW_API_KEY || null, mine: process.env.MY_SETTING, leaked:"
                    + " Object.keys(process.env).filter(k => k.startsWith('HPC_WHISK')) }; }")
            .withEnv(Map.of("MY_SETTING", "on"));
    Instant deadline = Instant.ofEpochMilli(1_900_000_000_000L);
    ActivationInput withKey =
        new ActivationInput(
            "id-1",
            "/guest/env",
            "guest",
            deadline,
            "https://whisk.example",
            Optional.of("uuid:secret"),
            null);
    ActivationInput withoutKey =
        new ActivationInput(
            "id-2",
            "/guest/env",
            "guest",
            deadline,
            "https://whisk.example",
            Optional.empty(),
            null);

    ActivationResult first = runtimes.invoke(spec, withKey);
    ActivationResult second = runtimes.invoke(spec, withoutKey);

    assertThat(first.resultJson())
        .isEqualTo(
            "{\"id\":\"id-1\",\"name\":\"/guest/env\",\"ns\":\"guest\","
                + "\"deadline\":\"1900000000000\",\"host\":\"https://whisk.example\",\"key\":\"uuid:secret\","
                + "\"mine\":\"on\",\"leaked\":[]}");
    assertThat(second.result().get("id").asText()).isEqualTo("id-2");
    assertThat(second.result().get("key").isNull())
        .as("the key of an earlier activation is gone")
        .isTrue();
  }

  @Test
  void parallelActivationsStartSeveralRuntimesAndReuseThem() throws Exception {
    ActionSpec spec =
        node(
            "par",
            "function main(p) { const t = Date.now(); while (Date.now() - t < 300) {} return { i:"
                + " p.i }; }");
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<CompletableFuture<ActivationResult>> futures = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String params = "{\"i\":" + i + "}";
        futures.add(
            CompletableFuture.supplyAsync(() -> runtimes.invoke(spec, input(params)), pool));
      }
      List<ActivationResult> results = futures.stream().map(CompletableFuture::join).toList();

      assertThat(results).allMatch(r -> r.status() == ActivationStatus.SUCCESS);
      assertThat(results)
          .extracting(r -> r.result().get("i").asInt())
          .containsExactlyInAnyOrder(0, 1, 2);
      assertThat(runtimes.stats().alive()).isEqualTo(3);
      assertThat(runtimes.stats().warmByVersion()).containsEntry("guest/par@1", 3);
      assertThat(runtimes.invoke(spec, input("{\"i\":9}")).cold()).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void memoryHeldByBusyRuntimesIsRefusedWithAReason() {
    ActionSpec busy =
        node("hog", "function main() { return new Promise(r => setTimeout(() => r({}), 1500)); }")
            .withLimits(ActionLimits.defaults().withMemoryMb(768));
    ActionSpec other =
        node("other", "function main() { return {}; }")
            .withLimits(ActionLimits.defaults().withMemoryMb(512));
    CompletableFuture<ActivationResult> running =
        CompletableFuture.supplyAsync(() -> runtimes.invoke(busy, input("{}")));
    await().atMost(Duration.ofSeconds(10)).until(() -> runtimes.stats().busy() == 1);

    ActivationResult refused = runtimes.invoke(other, input("{}"));

    assertThat(refused.status()).isEqualTo(ActivationStatus.WHISK_ERROR);
    assertThat(refused.errorMessage()).get().asString().contains("768 MB of 1024 MB are in use");
    assertThat(running.join().status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(runtimes.invoke(other, input("{}")).status())
        .as("idle runtimes are evicted for new ones")
        .isEqualTo(ActivationStatus.SUCCESS);
  }

  @Test
  void idleRuntimesExpire() {
    runtimes.close();
    runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(work.resolve("rt2"), 1024)
                .withSandbox(sandbox())
                .withIdleTimeout(Duration.ofMillis(200)));
    runtimes.invoke(node("short", "function main() { return {}; }"), input("{}"));

    await().atMost(Duration.ofSeconds(5)).until(() -> runtimes.stats().alive() == 0);
    assertThat(runtimes.stats().memoryInUseMb()).isZero();
  }
}
