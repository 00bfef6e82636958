package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.balancer.pilots.PilotEvents;
import io.hpcwhisk.balancer.store.PilotBinding;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A pilot connection owns its pilot id and the activations sent over it: a second registration for
 * a live id is refused (the holder keeps its id and its work), a pilot whose connection closed gets
 * back in, and messages about an activation count only from the connection it was sent over,
 * whatever pilot id the sender is registered under; everything else is dropped and counted.
 */
class ConnectionBindingTest {

  private final DispatcherFixture fx = new DispatcherFixture();

  private double refused(String reason) {
    return fx.counter("whisk_pilot_registrations_refused", "reason", reason);
  }

  private double dropped(String reason) {
    return fx.counter("whisk_pilot_messages_dropped", "reason", reason);
  }

  @Test
  void aSecondRegistrationForALiveIdIsRefusedAndTheHolderKeepsItsIdAndItsWork() throws Exception {
    var holder = fx.pilot("80", 512);
    RunRequest r = fx.request("alice", false);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    holder.accept(r.activationId());
    holder.started(r.activationId());

    var hijacker = fx.new FakePilot("80"); // a valid credential for job 80 (stolen, say)
    assertThatThrownBy(
            () ->
                fx.dispatcher.register(
                    hijacker,
                    fx.register(hijacker.id, "80", 512, fx.now.get() + 60_000),
                    fx.jobToken("80")))
        .isInstanceOfSatisfying(
            PilotEvents.Refusal.class, refusal -> assertThat(refusal.retryLater()).isTrue())
        .hasMessage(
            "pilot id slurm-80 is held by a live connection; try again once it has closed or gone"
                + " offline");
    assertThat(refused(PilotMeters.REFUSED_ID_IN_USE)).isEqualTo(1);

    assertThat(hijacker.sent).as("the newcomer gets nothing: no 'registered', no work").isEmpty();
    assertThat(holder.closed).as("the holder is not disconnected").isFalse();
    assertThat(holder.cancelled()).isEmpty();
    assertThat(fx.dispatcher.snapshot().pilots()).isEqualTo(1);
    assertThat(fx.dispatcher.snapshot().reservedMbByPilot()).containsEntry(holder.id, 256);

    // the holder goes on: new work reaches it, and its result is the record
    RunRequest next = fx.request("bob", true);
    fx.dispatch(next);
    assertThat(holder.activated()).containsExactly(r.activationId(), next.activationId());
    holder.complete(r.activationId());
    assertThat(result.join().response().result().get("conn").asInt()).isEqualTo(holder.serial);
  }

  @Test
  void anAttemptOnALiveIdIsRefusedBeforeItsCredentialIsCheckedSoItBindsNothing() throws Exception {
    fx.pilot("81", 512);
    String submission = fx.credentials.forSubmission();
    // the controller bound this submission to job 82 when sbatch answered
    fx.bindings.put(
        new PilotBinding(
            PilotCredentials.scopeOf(submission),
            "82",
            fx.clock.instant(),
            Duration.ofMinutes(10),
            fx.clock.instant().plusSeconds(900),
            Optional.empty()));
    var hijacker = fx.new FakePilot("81");
    assertThatThrownBy(
            () ->
                fx.dispatcher.register(
                    hijacker,
                    fx.register(hijacker.id, "81", 512, fx.now.get() + 60_000),
                    submission))
        .isInstanceOf(PilotEvents.Refusal.class)
        .hasMessageContaining("live");
    assertThat(refused(PilotMeters.REFUSED_ADMISSION)).isZero();
    // the refused attempt changed nothing: the credential's own job still registers with it
    var own = fx.new FakePilot("82");
    assertThat(
            fx.dispatcher.register(
                own, fx.register(own.id, "82", 512, fx.now.get() + 60_000), submission))
        .isEqualTo(own.id);
  }

  @Test
  void aPilotWhoseConnectionClosedRegistersAgainAtOnceEvenBeforeTheCloseIsReported()
      throws Exception {
    var first = fx.pilot("83", 512);
    RunRequest r = fx.request("alice", false);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    first.closed = true; // the socket is closed; Jetty has not called 'closed' yet

    var again = fx.connect("83", 512);
    assertThat(again.sent.get(0)).isInstanceOf(BalancerMessage.Registered.class);
    assertThat(refused(PilotMeters.REFUSED_ID_IN_USE)).isZero();
    again.heartbeat();
    // what the old connection held and never started goes out again, to the pilot's new connection
    assertThat(again.activated()).containsExactly(r.activationId());

    // the old connection's late close and late messages do not touch the new registration
    fx.dispatcher.closed(first.id, first, "connection closed (1006)");
    first.heartbeat();
    assertThat(dropped(PilotMeters.DROPPED_STALE)).isEqualTo(1);
    assertThat(fx.dispatcher.snapshot().pilots()).isEqualTo(1);
    again.accept(r.activationId());
    again.complete(r.activationId());
    assertThat(result.join().response().result().get("conn").asInt()).isEqualTo(again.serial);
  }

  @Test
  void aHalfOpenConnectionLocksItsPilotOutOnlyUntilItIsDeclaredOffline() throws Exception {
    var silent =
        fx.pilot("84", 512); // open as far as the balancer knows, but nothing comes over it
    var reconnecting = fx.new FakePilot("84");
    assertThatThrownBy(
            () ->
                fx.dispatcher.register(
                    reconnecting,
                    fx.register(reconnecting.id, "84", 512, fx.now.get() + 60_000),
                    fx.jobToken("84")))
        .isInstanceOf(PilotEvents.Refusal.class);
    for (int i = 0;
        i < 31;
        i++) { // offline after 3 s without a heartbeat (offline-after-ms default)
      fx.advance(100);
    }
    assertThat(silent.closed).as("declared offline and closed").isTrue();
    var back = fx.connect("84", 512);
    assertThat(back.sent.get(0)).isInstanceOf(BalancerMessage.Registered.class);
    assertThat(fx.dispatcher.registeredJobs()).containsExactly(Map.entry("slurm-84", "84"));
  }

  @Test
  void forgedMessagesFromAnotherConnectionAreDroppedAndCountedAndTheRealResultWins()
      throws Exception {
    var real = fx.pilot("90", 256);
    RunRequest r = fx.request("alice", false);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    var rogue = fx.pilot("91", 256); // a registered pilot with a valid credential of its own
    String id = r.activationId();
    assertThat(real.activated()).containsExactly(id);

    rogue.accept(id);
    rogue.started(id);
    rogue.handBack(true, id);
    rogue.complete(id);
    forge(rogue, id, ActivationStatus.WHISK_ERROR, PilotMessage.Completed.FAULT_RUNTIME_START);
    assertThat(dropped(PilotMeters.DROPPED_FOREIGN)).isEqualTo(5);
    assertThat(result).as("nothing the rogue said ended it").isNotDone();
    assertThat(rogue.activated())
        .as("its hand-back did not take the activation away from the real pilot")
        .isEmpty();
    assertThat(real.cancelled()).isEmpty();
    assertThat(fx.dispatcher.snapshot().reservedMbByPilot())
        .containsEntry(real.id, 256)
        .containsEntry(rogue.id, 0);

    // nor did its 'accepted' stand for the real pilot's: without one in time the activation is
    // taken back
    fx.advance(2_100);
    assertThat(real.cancelled()).containsExactly(id);
    var helper = fx.pilot("92", 256);
    fx.advance(100);
    String holder =
        helper.activated().contains(id)
            ? "helper"
            : rogue.activated().contains(id) ? "rogue" : "none";
    assertThat(holder).isNotEqualTo("none");
    var served = holder.equals("helper") ? helper : rogue;
    served.accept(id);
    served.complete(id);
    assertThat(result.join().response().result().get("conn").asInt()).isEqualTo(served.serial);
  }

  @Test
  void theRealPilotsResultWinsOverAForgedOneWhileItRuns() throws Exception {
    var real = fx.pilot("93", 256);
    var rogue = fx.pilot("94", 256);
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    var holder = real.activated().contains(r.activationId()) ? real : rogue;
    var other = holder == real ? rogue : real;
    holder.accept(r.activationId());
    holder.started(r.activationId());
    other.complete(r.activationId());
    assertThat(result).isNotDone();
    holder.complete(r.activationId());
    assertThat(result.join().response().result().get("conn").asInt()).isEqualTo(holder.serial);
    assertThat(dropped(PilotMeters.DROPPED_FOREIGN)).isEqualTo(1);
    assertThat(fx.ended()).isEqualTo(1);
  }

  @Test
  void whoeverHoldsAnIdAfterItsConnectionClosedCannotEndWhatWasSentOverTheOldOne()
      throws Exception {
    var first = fx.pilot("95", 256);
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    first.accept(r.activationId());
    first.started(r.activationId());
    var other = fx.pilot("96", 256);
    first.lose(); // started and retry-safe: runs again on the other pilot
    assertThat(other.activated()).containsExactly(r.activationId());

    var sameId =
        fx.connect("95", 256); // the pilot reconnecting, or whoever holds job 95's credential
    sameId.heartbeat();
    sameId.started(r.activationId());
    sameId.complete(r.activationId());
    assertThat(dropped(PilotMeters.DROPPED_EARLIER)).isEqualTo(2);
    assertThat(result).isNotDone();
    other.accept(r.activationId());
    other.complete(r.activationId());
    assertThat(result.join().response().result().get("conn").asInt()).isEqualTo(other.serial);
  }

  @Test
  void aRefusedRegistrationLeavesNoTraceAndNothingIsSentToAPilotBeforeItIsAdmitted()
      throws Exception {
    RunRequest keyed =
        new RunRequest(
            "a".repeat(32),
            "alice",
            fx.request("alice", true).action(),
            "0.0.1",
            fx.request("alice", true).exec(),
            fx.request("alice", true).limits(),
            JsonNodeFactory.instance.objectNode(),
            "uuid-of-alice:her-key",
            fx.now.get() + 60_000,
            true);
    CompletableFuture<RunOutcome> result = fx.dispatch(keyed);
    var noCredential = fx.new FakePilot("97");
    assertThatThrownBy(
            () ->
                fx.dispatcher.register(
                    noCredential,
                    fx.register(noCredential.id, "97", 512, fx.now.get() + 60_000),
                    fx.jobToken("98")))
        .isInstanceOf(PilotEvents.Refusal.class);
    noCredential
        .heartbeat(); // the endpoint never forwards this for a refused connection; the dispatcher
    // ignores it
    assertThat(refused(PilotMeters.REFUSED_ADMISSION)).isEqualTo(1);
    assertThat(noCredential.sent).isEmpty();
    assertThat(fx.dispatcher.snapshot().pilots()).isZero();
    assertThat(fx.dispatcher.registeredJobs()).isEmpty();
    assertThat(fx.dispatcher.snapshot().queued()).isEqualTo(1);

    var admitted = fx.pilot("97", 512);
    var sent =
        admitted.sent.stream()
            .filter(m -> m instanceof BalancerMessage.Activate)
            .map(m -> ((BalancerMessage.Activate) m).request())
            .toList();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).apiKey()).isEqualTo("uuid-of-alice:her-key");
    assertThat(result).isNotDone();
  }

  private void forge(
      DispatcherFixture.FakePilot from,
      String activationId,
      ActivationStatus status,
      String fault) {
    long t = fx.now.get();
    fx.dispatcher.message(
        from.id,
        from,
        new PilotMessage.Completed(
            new ActivationOutcome(
                activationId,
                status,
                JsonNodeFactory.instance.objectNode().put("forged", true),
                List.of(),
                t,
                t,
                0,
                0,
                false),
            fault));
  }
}
