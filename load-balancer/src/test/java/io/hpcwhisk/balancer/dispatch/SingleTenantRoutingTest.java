package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A single-tenant pilot (no sandbox, {@code pilot.unsandboxed-namespace}) registers with {@code
 * onlyNamespace}: the balancer sends it that namespace's activations and nothing else; another
 * namespace's activation waits for a pilot that serves it (counted as a {@code not_for_namespace}
 * refusal).
 */
class SingleTenantRoutingTest {

  private final DispatcherFixture fx = new DispatcherFixture();

  private DispatcherFixture.FakePilot singleTenant(String job, String namespace) throws Exception {
    DispatcherFixture.FakePilot p = fx.new FakePilot(job);
    PilotMessage.Register r = fx.register(p.id, job, 1024, fx.now.get() + 3_600_000);
    fx.dispatcher.register(
        p,
        new PilotMessage.Register(
            r.pilotId(),
            r.jobId(),
            r.node(),
            r.cpus(),
            r.memoryMb(),
            r.kinds(),
            r.warm(),
            r.deadlineMs(),
            r.jobStartMs(),
            r.launchedAtMs(),
            r.pilotVersion(),
            PilotProtocol.MINOR,
            namespace),
        fx.jobToken(job));
    p.heartbeat();
    return p;
  }

  @Test
  void anotherNamespacesActivationIsNeverSentToASingleTenantPilotButWaitsForOneThatServesIt()
      throws Exception {
    DispatcherFixture.FakePilot alicesPilot = singleTenant("21", "alice");

    RunRequest bob = fx.request("bob", true);
    CompletableFuture<RunOutcome> bobResult = fx.dispatch(bob);
    RunRequest alice = fx.request("alice", true);
    fx.dispatch(alice);

    assertThat(alicesPilot.activated()).containsExactly(alice.activationId());
    assertThat(bobResult).isNotDone();
    assertThat(fx.dispatcher.snapshot().queued()).isEqualTo(1);
    assertThat(fx.counter("whisk_routing_refusals", "reason", "not_for_namespace")).isPositive();

    DispatcherFixture.FakePilot shared = fx.pilot("22", 1024);
    assertThat(shared.activated()).containsExactly(bob.activationId());
    assertThat(alicesPilot.activated()).doesNotContain(bob.activationId());
  }
}
