package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.runtime.ActionKind;
import io.hpcwhisk.runtime.ActionRuntimes;
import io.hpcwhisk.runtime.Prewarm;
import io.hpcwhisk.runtime.RuntimeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A user who sends the same action twice in a row expects a warm start: the pilot in this JVM with
 * pre-started runtimes, against the balancer double over a real WebSocket, gets the second
 * activation the moment the balancer reads the result frame before it (PilotSlurmIT's node-2).
 */
class PilotWarmReuseTest extends PilotFixture {

  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * 768 MB, one nodejs runtime pre-started: node-1 runs on it and a replacement is pre-started; two
   * python actions (none pre-started) then need the memory the idle node runtime or the replacement
   * holds. node-2 (node-1's version) goes out right after py-2's result frame and runs warm in
   * node-1's runtime.
   */
  @Test
  void theSameActionSentRightAfterAResultStartsWarmWhilePreStartedRuntimesHoldMemory() {
    ActionRuntimes runtimes =
        new ActionRuntimes(
                RuntimeConfig.defaults(work.resolve("rt"), 768)
                    .withSandbox(RuntimeConfig.Sandbox.OFF)
                    .withUnsandboxedNamespace("guest"))
            .prewarm(Prewarm.parse("nodejs:1", 256));
    pilot =
        new InvokerPilot(identity(768, Instant.now().plusSeconds(600)), settings(), runtimes, "t");
    exit = CompletableFuture.supplyAsync(pilot::run);
    registered();
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 1);
    String code = "function main(p) { return { pid: process.pid }; }";

    ActivationOutcome first = run(Requests.node("node-1", "node@1", code, 10_000, 256));
    assertThat(first.cold()).isTrue();
    assertThat(runtimes.prewarmedStarts()).isEqualTo(1);
    await().atMost(WAIT).until(() -> runtimes.stems(ActionKind.NODEJS) == 1);
    run(python("py-1", "py1@1"));
    balancer.onOutcome(
        outcome -> {
          if (outcome.activationId().equals("py-2")) { // on the connection's thread, at once
            balancer.activate(PILOT, Requests.node("node-2", "node@1", code, 10_000, 256));
          }
        });
    balancer.activate(PILOT, python("py-2", "py2@1"));

    ActivationOutcome second = outcome("node-2");
    assertThat(outcome("py-2").status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(second.status()).as("%s", second.result()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(second.cold()).as("node-2 runs warm in node-1's runtime").isFalse();
    assertThat(second.initMs()).isZero();
    assertThat(second.result().get("pid").asLong()).isEqualTo(first.result().get("pid").asLong());
  }

  private ActivationOutcome run(ActivationRequest request) {
    balancer.activate(PILOT, request);
    ActivationOutcome outcome = outcome(request.activationId());
    assertThat(outcome.status()).as("%s", outcome.result()).isEqualTo(ActivationStatus.SUCCESS);
    return outcome;
  }

  private ActivationOutcome outcome(String id) {
    await().atMost(WAIT).until(() -> balancer.outcome(id).isPresent());
    return balancer.outcome(id).orElseThrow();
  }

  /** A python action of {@code versionKey}, 256 MB. */
  private static ActivationRequest python(String id, String versionKey) {
    ActivationRequest r = Requests.node(id, versionKey, "", 10_000, 256);
    return Requests.copy(r, "python:3", "def main(a):\n    return {'ok': True}\n", r.retrySafe());
  }
}
