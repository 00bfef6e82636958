package io.hpcwhisk.pilot;

import static org.awaitility.Awaitility.await;

import io.hpcwhisk.runtime.ActionRuntimes;
import io.hpcwhisk.runtime.RuntimeConfig;
import io.hpcwhisk.testkit.FakeBalancer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up the pilot tests share: the pilot in this JVM (pilot 101 on node n1, 2 CPUs, runtimes
 * under {@code work/rt}, no sandbox, so single-tenant for namespace {@code guest}) against the
 * balancer double, over a real WebSocket. A balancer is started before each test; after it, a pilot
 * still running is drained and awaited, and the balancer closed.
 */
abstract class PilotFixture {

  static final String TOKEN = "job-token-1";
  static final String PILOT = "slurm-101";
  @TempDir Path work;
  FakeBalancer balancer;
  InvokerPilot pilot;
  CompletableFuture<Integer> exit;

  /** The balancer double before each test; a test class may announce a protocol minor on it. */
  FakeBalancer startBalancer() throws Exception {
    return FakeBalancer.start(TOKEN);
  }

  @BeforeEach
  final void startTheBalancer() throws Exception {
    balancer = startBalancer();
  }

  @AfterEach
  final void stopPilotAndBalancer() throws Exception {
    if (pilot != null && !exit.isDone()) {
      pilot.drain("test over", Instant.now());
      exit.join();
    }
    balancer.close();
  }

  PilotIdentity identity(int memoryMb, Instant deadline) {
    return new PilotIdentity("101", "n1", 2, memoryMb, Instant.now(), deadline, null);
  }

  PilotSettings settings() {
    return PilotSettings.of(balancer.uri(), TOKEN, work).withSandbox(RuntimeConfig.Sandbox.OFF);
  }

  /** Starts the pilot on a thread of its own; {@link #exit} completes with its exit code. */
  void startPilot(PilotIdentity identity, PilotSettings settings) {
    startPilot(identity, settings, "guest");
  }

  /** As above; without a sandbox the pilot serves only {@code namespace} (null: none). */
  void startPilot(PilotIdentity identity, PilotSettings settings, String namespace) {
    ActionRuntimes runtimes =
        new ActionRuntimes(
            RuntimeConfig.defaults(work.resolve("rt"), identity.memoryMb())
                .withSandbox(RuntimeConfig.Sandbox.OFF)
                .withUnsandboxedNamespace(namespace));
    pilot = new InvokerPilot(identity, settings, runtimes, "test");
    exit = CompletableFuture.supplyAsync(pilot::run);
  }

  /** The pilot's session, once it has registered. */
  FakeBalancer.PilotSession registered() {
    await().atMost(Duration.ofSeconds(10)).until(() -> balancer.pilot(PILOT).isPresent());
    return balancer.pilot(PILOT).orElseThrow();
  }
}
