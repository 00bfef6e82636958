package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.invoke.OwnershipLost;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher behind a lapsed ownership lease (fake pilots, hand-driven fence): nothing goes to
 * a pilot and no result is handed on until the re-read of what the server owns; then the lost
 * activations fail with {@link OwnershipLost} (the pilot holding one told to cancel it) and the
 * rest go on.
 */
class PilotFenceTest {

  private final DispatcherFixture fx = new DispatcherFixture();
  private final AtomicBoolean lease = new AtomicBoolean(true);

  PilotFenceTest() {
    fx.dispatcher.fence(lease::get);
  }

  @Test
  void whileTheLeaseIsLapsedNothingIsSentAndResultsWaitForTheReRead() throws Exception {
    var p = fx.pilot("21", 512);
    var running = fx.request("guest", false);
    var kept = fx.request("guest", true);
    CompletableFuture<RunOutcome> runningResult = fx.dispatch(running);
    p.accept(running.activationId());
    p.started(running.activationId());

    lease.set(false); // the server was silent past its lease
    CompletableFuture<RunOutcome> keptResult = fx.dispatch(kept);
    var lost = fx.request("guest", true);
    CompletableFuture<RunOutcome> lostResult = fx.dispatch(lost);
    p.complete(running.activationId()); // a result that came while the server was silent
    fx.advance(100);
    assertThat(p.activated()).containsExactly(running.activationId());
    assertThat(runningResult).as("parked until the re-read").isNotDone();
    assertThat(fx.dispatcher.unchecked())
        .containsExactlyInAnyOrder(
            running.activationId(), kept.activationId(), lost.activationId());

    // the re-read: 'lost' and the parked 'running' were taken over, 'kept' is still this server's
    lease.set(true);
    Set<String> taken = Set.of(lost.activationId(), running.activationId());
    assertThat(fx.dispatcher.resume(Set.of(kept.activationId()), taken, "was taken over")).isTrue();
    assertThat(lostResult).isCompletedExceptionally();
    assertThat(OwnershipLost.in(lostResult.handle((o, t) -> t).get())).isNotNull();
    assertThat(OwnershipLost.in(runningResult.handle((o, t) -> t).get())).isNotNull();
    assertThat(p.activated()).containsExactly(running.activationId(), kept.activationId());
    p.accept(kept.activationId());
    p.complete(kept.activationId());
    assertThat(keptResult.get().response().success()).isTrue();
  }

  @Test
  void aLostActivationOnAPilotIsCancelledThereAndWhatArrivesUncheckedWaitsForAnotherRound()
      throws Exception {
    var p = fx.pilot("22", 512);
    var onPilot = fx.request("guest", false);
    CompletableFuture<RunOutcome> onPilotResult = fx.dispatch(onPilot);
    p.accept(onPilot.activationId());
    lease.set(false);
    fx.dispatcher.hold();
    var late = fx.request("guest", true);
    lease.set(true);
    fx.dispatch(late); // submitted while the re-read ran: not among what it checked
    assertThat(fx.dispatcher.resume(Set.of(), Set.of(onPilot.activationId()), "taken")).isFalse();
    assertThat(p.cancelled()).containsExactly(onPilot.activationId());
    assertThat(OwnershipLost.in(onPilotResult.handle((o, t) -> t).get())).isNotNull();
    assertThat(fx.dispatcher.unchecked()).containsExactly(late.activationId());
    assertThat(p.activated()).containsExactly(onPilot.activationId());
    // its late result is dropped: the activation ended here already
    p.complete(onPilot.activationId());
    assertThat(fx.dispatcher.resume(Set.of(late.activationId()), Set.of(), "taken")).isTrue();
    assertThat(p.activated()).containsExactly(onPilot.activationId(), late.activationId());
  }
}
