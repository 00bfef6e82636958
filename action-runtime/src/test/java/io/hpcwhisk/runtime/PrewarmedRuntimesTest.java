package io.hpcwhisk.runtime;

import static io.hpcwhisk.runtime.TestActions.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.testkit.Required;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pre-started runtimes with real processes: a cold start takes one and a replacement follows; one
 * serves exactly one action (another user's first call gets another process and cannot see the
 * first one's code or parameters); a flood of distinct actions stays within the pilot's memory.
 */
class PrewarmedRuntimesTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path work;
  ActionRuntimes runtimes;

  @AfterEach
  void stop() {
    if (runtimes != null) {
      runtimes.close();
    }
  }

  private ActionRuntimes start(int memoryMb, String prewarm, RuntimeConfig.Sandbox sandbox) {
    runtimes =
        new ActionRuntimes(
                RuntimeConfig.defaults(work.resolve("rt"), memoryMb).withSandbox(sandbox))
            .prewarm(Prewarm.parse(prewarm, 256))
            .warmUp();
    return runtimes;
  }

  @Test
  void aColdStartTakesAPreStartedRuntimeAndAReplacementIsStarted() {
    start(2048, "nodejs:2,python:1", RuntimeConfig.Sandbox.OFF);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 2);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.PYTHON) == 1);
    assertThat(runtimes.stats().memoryInUseMb()).as("3 stems of 256 MB").isEqualTo(768);
    ActionSpec hello =
        ActionSpec.text(
            "guest/hello@1",
            "nodejs:20",
            "function main(p) { console.log('hi ' + p.name); return {greeting: 'Hello ' + p.name,"
                + " pid: process.pid}; }");

    ActivationResult first = runtimes.invoke(hello, input("{\"name\":\"Ada\"}"));

    assertThat(first.status())
        .as(first.resultJson() + " " + first.logs())
        .isEqualTo(ActivationStatus.SUCCESS);
    assertThat(first.result().get("greeting").asText()).isEqualTo("Hello Ada");
    assertThat(first.cold()).isTrue();
    assertThat(first.initTime()).isPresent();
    assertThat(first.logs()).anyMatch(line -> line.contains("hi Ada"));
    assertThat(runtimes.prewarmedStarts()).isEqualTo(1);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 2);

    ActivationResult second = runtimes.invoke(hello, input("{\"name\":\"Bob\"}"));
    assertThat(second.cold()).as("warm reuse for the same action").isFalse();
    assertThat(second.result().get("pid").asLong()).isEqualTo(first.result().get("pid").asLong());
    assertThat(runtimes.prewarmedStarts()).isEqualTo(1);

    ActionSpec py = ActionSpec.text("guest/py@1", "python:3", "def main(a):\n  return {'x': 1}\n");
    ActivationResult python = runtimes.invoke(py, input("{}"));
    assertThat(python.status()).as(python.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(runtimes.prewarmedStarts()).isEqualTo(2);

    ActionSpec big = hello.withLimits(hello.limits().withMemoryMb(512));
    ActivationResult own = runtimes.invoke(big, input("{\"name\":\"C\"}"));
    assertThat(own.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(runtimes.prewarmedStarts()).as("512 MB does not fit a 256 MB stem").isEqualTo(2);
  }

  @Test
  void aBadActionOnAPreStartedRuntimeIsADeveloperErrorAndTheRuntimeIsGone() {
    start(1024, "nodejs:1", RuntimeConfig.Sandbox.OFF);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 1);
    ActionSpec broken = ActionSpec.text("guest/broken@1", "nodejs:20", "function main( {");

    ActivationResult result = runtimes.invoke(broken, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(runtimes.prewarmedStarts()).isEqualTo(1);
    assertThat(runtimes.stats().warmByVersion()).doesNotContainKey("guest/broken@1");
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 1);
    assertThat(runtimes.stats().memoryInUseMb()).isEqualTo(256);
  }

  /**
   * The pilot's ledger admits as many activations as its memory holds, so pre-started runtimes must
   * never refuse one: 4 parallel cold starts on 1024 MB while stems hold 768 MB (and replacements
   * are being started) all run (ColdBurstIT saw "No memory left" here before).
   */
  @Test
  void parallelColdStartsUpToTheMemoryAllRunWhilePreStartsAreUnderWay() throws Exception {
    start(1024, "nodejs:2,python:1", RuntimeConfig.Sandbox.OFF);
    await().atMost(WAIT).until(() -> runtimes.stats().memoryInUseMb() == 768);
    ActionSpec slow =
        ActionSpec.text(
            "guest/slow@1",
            "nodejs:20",
            "function main() { return new Promise(r => setTimeout(() => r({ok: true}), 1500)); }");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<ActivationResult>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(pool.submit(() -> runtimes.invoke(slow, input("{}"))));
      }
      for (Future<ActivationResult> f : results) {
        ActivationResult r = f.get();
        assertThat(r.status()).as(r.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(runtimes.stats().memoryInUseMb()).isLessThanOrEqualTo(1024);
  }

  /**
   * A warm runtime is worth more than a pre-started one: a cold start that needs memory takes it
   * from the pre-started runtime, not from an idle warm runtime, so the same action sent again
   * starts warm (PilotSlurmIT saw node-2 cold after node-1: a later cold start of the same burst
   * had evicted node-1's idle runtime while a pre-started one stayed).
   */
  @Test
  void aColdStartThatNeedsMemoryGivesUpAPreStartedRuntimeBeforeAnIdleWarmOne() {
    start(768, "nodejs:1", RuntimeConfig.Sandbox.OFF);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 1);
    ActionSpec node =
        ActionSpec.text(
            "guest/node@1", "nodejs:20", "function main() { return {pid: process.pid}; }");
    ActivationResult first = runtimes.invoke(node, input("{}"));
    assertThat(first.status()).as(first.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(runtimes.prewarmedStarts()).isEqualTo(1);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 1);
    // two python actions (no python pre-start) fill the rest: the second needs 256 MB held by
    // either the idle node runtime or the replacement pre-started one
    for (String version : List.of("guest/py1@1", "guest/py2@1")) {
      ActivationResult py =
          runtimes.invoke(
              ActionSpec.text(version, "python:3", "def main(a):\n  return {'ok': True}\n"),
              input("{}"));
      assertThat(py.status()).as(py.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
    }
    assertThat(runtimes.stats().memoryInUseMb()).isLessThanOrEqualTo(768);
    assertThat(runtimes.stats().warmByVersion())
        .as("node's idle runtime kept")
        .containsKey("guest/node@1");
    assertThat(runtimes.stems(ActionKind.NODEJS)).as("the pre-started one gave way").isZero();

    ActivationResult again = runtimes.invoke(node, input("{}"));

    assertThat(again.status()).as(again.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(again.cold()).as("the same action again starts warm").isFalse();
    assertThat(again.result().get("pid").asLong()).isEqualTo(first.result().get("pid").asLong());
  }

  /**
   * Hostile: user A's action (on a pre-started runtime) keeps its secret parameter in a global, in
   * a file of its directory and in its environment; user B's first call, also on a pre-started
   * runtime, looks for all three and for A's directory. A runtime serves one action only, so B
   * finds nothing.
   */
  @Test
  void anotherUsersActionNeverGetsTheRuntimeAnActionUsedNorSeesItsCodeOrParameters() {
    Required.on(
        Sandbox.usable(), "bwrap (bubblewrap) is not installed or cannot create namespaces here");
    start(2048, "nodejs:2", RuntimeConfig.Sandbox.BWRAP);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 2);
    String secret = "s3cret-" + UUID.randomUUID();
    ActionSpec alice =
        ActionSpec.text(
            "alice/keeper@1",
            "nodejs:20",
            "const fs = require('fs'); function main(p) { globalThis.kept = p.secret;"
                + " process.env.KEPT = p.secret; fs.writeFileSync(process.env.HOME + '/kept.txt',"
                + " p.secret); return {pid: process.pid, home: process.env.HOME}; }");
    ActivationResult a = runtimes.invoke(alice, input("{\"secret\":\"" + secret + "\"}"));
    assertThat(a.status()).as(a.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
    String aliceHome = a.result().get("home").asText();
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 2);

    ActionSpec bob =
        ActionSpec.text(
            "bob/spy@1",
            "nodejs:20",
            "const fs = require('fs'); function main() { let file = null; try { file ="
                + " fs.readFileSync('"
                + aliceHome
                + "/kept.txt', 'utf8'); } catch (e) {} let code = null; try { code ="
                + " fs.readdirSync('"
                + aliceHome
                + "'); } catch (e) {} return {pid: process.pid, global: String(globalThis.kept),"
                + " env: JSON.stringify(process.env), file: file, dir: code, own: fs.readdirSync("
                + "process.env.HOME)}; }");
    ActivationResult b = runtimes.invoke(bob, input("{}"));

    assertThat(b.status()).as(b.resultJson()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(b.cold()).isTrue();
    assertThat(runtimes.prewarmedStarts()).isEqualTo(2);
    var r = b.result();
    // (inside bubblewrap every runtime is pid 2 of its own namespace: count runtimes instead)
    assertThat(runtimes.stats().warmByVersion())
        .as("A's runtime stays A's, B got its own")
        .containsEntry("alice/keeper@1", 1)
        .containsEntry("bob/spy@1", 1);
    assertThat(r.get("global").asText()).isEqualTo("undefined");
    assertThat(r.get("env").asText()).doesNotContain(secret);
    assertThat(r.get("file").isNull()).as("A's file").isTrue();
    assertThat(r.get("dir").isNull()).as("A's directory").isTrue();
    assertThat(r.get("own").toString()).as("its own directory").doesNotContain("kept.txt");
    assertThat(b.resultJson()).doesNotContain(secret);
  }

  /**
   * Hostile: a flood of distinct actions (each needs its own runtime) against a small pilot. The
   * runtimes never hold more than its memory: pre-started ones are given up first, then calls
   * beyond the memory get a clear whisk error naming the memory, and no process is left behind.
   */
  @Test
  void aFloodOfDistinctActionsStaysWithinTheMemoryAndIsRefusedClearly() throws Exception {
    start(1024, "nodejs:2,python:2", RuntimeConfig.Sandbox.OFF);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 2);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.PYTHON) == 2);
    AtomicBoolean over = new AtomicBoolean();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                if (runtimes.stats().memoryInUseMb() > 1024) {
                  over.set(true);
                }
                LockSupport.parkNanos(1_000_000);
              }
            });
    sampler.start();
    int flood = 12;
    ExecutorService pool = Executors.newFixedThreadPool(flood);
    List<Future<ActivationResult>> results = new ArrayList<>();
    try {
      for (int i = 0; i < flood; i++) {
        ActionSpec action =
            ActionSpec.text(
                "mallory/flood" + i + "@1",
                "nodejs:20",
                "function main() { return new Promise(r => setTimeout(() => r({ok: true}),"
                    + " 3000)); }");
        results.add(pool.submit(() -> runtimes.invoke(action, input("{}"))));
      }
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      for (Future<ActivationResult> f : results) {
        ActivationResult r = f.get();
        if (r.status() == ActivationStatus.SUCCESS) {
          ok.incrementAndGet();
        } else {
          assertThat(r.status()).isEqualTo(ActivationStatus.WHISK_ERROR);
          assertThat(r.resultJson())
              .contains("No memory left for another runtime")
              .contains("1024 MB");
          refused.incrementAndGet();
        }
      }
      assertThat(ok.get()).as("at most 4 runtimes of 256 MB at once").isBetween(1, 4);
      assertThat(ok.get() + refused.get()).isEqualTo(flood);
    } finally {
      pool.shutdownNow();
      sampling.set(false);
      sampler.join();
    }
    assertThat(over).as("memory in use above 1024 MB at some point").isFalse();
    runtimes.close();
    assertThat(ProcStatus.tree(ProcessHandle.current().pid()))
        .as("runtime processes left after close")
        .hasSizeLessThanOrEqualTo(1);
  }
}
