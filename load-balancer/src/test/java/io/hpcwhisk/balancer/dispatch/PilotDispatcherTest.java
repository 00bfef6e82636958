package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.pilots.PilotEvents;
import io.hpcwhisk.protocol.BalancerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PilotDispatcherTest {

  private final DispatcherFixture fx = new DispatcherFixture();

  @Test
  void routesToALivePilotReservesMemoryAndEndsWithItsResult() throws Exception {
    var p = fx.pilot("11", 512);
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    assertThat(p.activated()).containsExactly(r.activationId());
    assertThat(fx.dispatcher.snapshot().reservedMbByPilot()).containsEntry(p.id, 256);
    p.accept(r.activationId());
    p.complete(r.activationId());
    assertThat(result).isCompleted();
    assertThat(result.join().response().success()).isTrue();
    assertThat(result.join().response().result().get("by").asText()).isEqualTo(p.id);
    assertThat(fx.dispatcher.snapshot().reservedMbByPilot()).containsEntry(p.id, 0);
    assertThat(fx.dispatcher.snapshot().inFlight()).isZero();
  }

  @Test
  void aPilotThatRegistersOrLeavesRunsThePilotChangeHookOutsideTheLock() throws Exception {
    AtomicInteger changes = new AtomicInteger();
    fx.dispatcher.onPilotChange(
        () -> {
          // outside the lock: another thread gets the dispatcher's snapshot (under its lock) at
          // once
          try {
            CompletableFuture.supplyAsync(fx.dispatcher::snapshot).get(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new AssertionError("the hook ran under the dispatcher's lock", e);
          }
          changes.incrementAndGet();
        });
    var p = fx.pilot("13", 512);
    assertThat(changes.get()).isEqualTo(1);
    p.lose();
    assertThat(changes.get()).isEqualTo(2);
  }

  @Test
  void queuesWhileNoPilotIsLiveAndSendsWhenOneRegisters() throws Exception {
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    assertThat(fx.dispatcher.snapshot().queued()).isEqualTo(1);
    assertThat(result).isNotDone();
    var p = fx.pilot("12", 512);
    assertThat(p.activated()).containsExactly(r.activationId());
    assertThat(fx.dispatcher.snapshot().queued()).isZero();
  }

  @Test
  void neverSendsMoreThanAPilotsMemory() throws Exception {
    var p = fx.pilot("13", 512);
    for (int i = 0; i < 5; i++) {
      fx.dispatch(fx.request("alice", true));
    }
    assertThat(p.activated()).hasSize(2);
    assertThat(fx.dispatcher.snapshot().queued()).isEqualTo(3);
  }

  @Test
  void theQueueIsFairAcrossNamespaces() throws Exception {
    var p = fx.pilot("14", 256);
    List<RunRequest> busy = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      busy.add(fx.request("busy", true));
      fx.dispatch(busy.get(i));
    }
    RunRequest quiet = fx.request("quiet", true);
    fx.dispatch(quiet);
    assertThat(p.activated()).containsExactly(busy.get(0).activationId());
    p.accept(busy.get(0).activationId());
    p.complete(busy.get(0).activationId());
    // the quiet namespace's only activation goes before the busy namespace's second
    assertThat(p.activated()).containsExactly(busy.get(0).activationId(), quiet.activationId());
  }

  @Test
  void aQueuedActivationEndsAfterTheWaitLimitWithTheReason() {
    var fx2 = new DispatcherFixture(ServerConfig.Pilots.DEFAULT.withQueueWaitSeconds(5));
    CompletableFuture<RunOutcome> result = fx2.dispatch(fx2.request("alice", true));
    fx2.advance(4_000);
    assertThat(result).isNotDone();
    fx2.advance(1_100);
    assertThat(result).isCompleted();
    ActivationResponse response = result.join().response();
    assertThat(response.statusCode()).isEqualTo(ActivationResponse.WHISK_ERROR);
    assertThat(response.result().get("error").asText())
        .contains("within 5 s")
        .contains("no pilot is registered");
  }

  @Test
  void anUnacknowledgedActivationIsRedispatchedAndALateResultFromTheCancelledPilotIsDropped()
      throws Exception {
    var slow = fx.pilot("15", 256);
    RunRequest r = fx.request("alice", false);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    var other = fx.pilot("16", 256);
    for (int i = 1;
        i <= 21;
        i++) { // no 'accepted' from the slow pilot within the ack timeout; heartbeats go on
      fx.now.addAndGet(100);
      if (i % 5 == 0) {
        slow.heartbeat();
        other.heartbeat();
      }
      fx.dispatcher.tick();
    }
    assertThat(slow.cancelled()).containsExactly(r.activationId());
    assertThat(other.activated()).containsExactly(r.activationId());
    other.accept(r.activationId());
    slow.complete(
        r.activationId()); // the slow pilot ran it after all: it was told to cancel, so dropped
    assertThat(result).isNotDone();
    other.complete(r.activationId());
    assertThat(result).isCompleted();
    assertThat(result.join().response().result().get("by").asText()).isEqualTo(other.id);
    assertThat(fx.counter("whisk_late_results", "kind", "cancelled")).isEqualTo(1);
    other.complete(r.activationId()); // a duplicate after the end: dropped, counted
    assertThat(fx.metrics.count("whisk_late_results", "after_end")).isEqualTo(1);
    assertThat(fx.ended()).isEqualTo(1);
    assertThat(fx.dispatcher.snapshot().reservedMbByPilot())
        .containsEntry(slow.id, 0)
        .containsEntry(other.id, 0);
  }

  @Test
  void anExpiredLeaseReRunsARetrySafeActivationAndFailsAnUnsafeOne() throws Exception {
    var hung = fx.pilot("17", 512);
    RunRequest safe = fx.request("alice", true);
    RunRequest unsafe = fx.request("alice", false);
    CompletableFuture<RunOutcome> safeResult = fx.dispatch(safe);
    CompletableFuture<RunOutcome> unsafeResult = fx.dispatch(unsafe);
    hung.accept(safe.activationId());
    hung.accept(unsafe.activationId());
    hung.started(safe.activationId());
    hung.started(unsafe.activationId());
    for (int i = 0; i < 71; i++) { // 60 s timeout + 10 s slack, heartbeats keep the pilot online
      fx.now.addAndGet(1000);
      hung.heartbeat();
      fx.dispatcher.tick();
    }
    assertThat(unsafeResult).isCompleted();
    assertThat(unsafeResult.join().response().result().get("error").asText())
        .startsWith("pilot preempted");
    assertThat(safeResult).isNotDone();
    assertThat(fx.metrics.count("whisk_redispatches", "lease_expired")).isEqualTo(1);
  }

  @Test
  void aLostPilotsUnstartedWorkGoesElsewhereAtOnceAndStartedUnsafeWorkFails() throws Exception {
    var lost = fx.pilot("18", 512);
    RunRequest started = fx.request("alice", false);
    RunRequest unstarted = fx.request("alice", false);
    CompletableFuture<RunOutcome> startedResult = fx.dispatch(started);
    CompletableFuture<RunOutcome> unstartedResult = fx.dispatch(unstarted);
    lost.accept(started.activationId());
    lost.started(started.activationId());
    var survivor = fx.pilot("19", 512);
    lost.lose();
    assertThat(survivor.activated()).containsExactly(unstarted.activationId());
    assertThat(startedResult.join().response().result().get("error").asText())
        .startsWith("pilot preempted")
        .contains("slurm-18")
        .contains("retry-safe=false");
    survivor.accept(unstarted.activationId());
    survivor.complete(unstarted.activationId());
    assertThat(unstartedResult.join().response().success()).isTrue();
  }

  @Test
  void aDrainingPilotGetsNothingNewAndWhatItHandsBackIsRedispatched() throws Exception {
    var draining = fx.pilot("20", 512);
    RunRequest r = fx.request("alice", false);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    draining.drain();
    draining.handBack(
        false, r.activationId()); // it never acknowledged it: not started, so safe to move
    RunRequest next = fx.request("alice", true);
    fx.dispatch(next);
    assertThat(draining.activated()).containsExactly(r.activationId());
    var fresh = fx.pilot("21", 512);
    assertThat(fresh.activated()).containsExactly(r.activationId(), next.activationId());
    assertThat(result).isNotDone();
    assertThat(fx.metrics.count("whisk_redispatches", "handed_back")).isEqualTo(1);
  }

  @Test
  void aRetrySafeActivationIsStartedAtMostMaxAttemptsTimes() throws Exception {
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    for (int i = 0; i < 3; i++) {
      var p = fx.pilot("3" + i, 512);
      assertThat(p.activated()).containsExactly(r.activationId());
      p.accept(r.activationId());
      p.started(r.activationId());
      p.lose();
    }
    assertThat(result).isCompleted();
    assertThat(result.join().response().result().get("error").asText()).contains("started 3 times");
  }

  @Test
  void aSilentPilotGoesOfflineAfterThreeSecondsAndItsWorkMoves() throws Exception {
    var silent = fx.pilot("40", 256);
    RunRequest r = fx.request("alice", true);
    fx.dispatch(r);
    silent.accept(r.activationId());
    silent.started(r.activationId());
    var other = fx.pilot("41", 256);
    for (int i = 0; i < 31; i++) {
      fx.now.addAndGet(100);
      other.heartbeat();
      fx.dispatcher.tick();
    }
    assertThat(silent.closed).isTrue();
    assertThat(other.activated()).containsExactly(r.activationId());
    assertThat(fx.metrics.count("whisk_redispatches", "pilot_lost_started")).isEqualTo(1);
  }

  @Test
  void registrationNeedsAValidJobScopedCredential() throws Exception {
    var p = fx.new FakePilot("50");
    assertThatThrownBy(
            () ->
                fx.dispatcher.register(
                    p, fx.register(p.id, "50", 512, fx.now.get() + 60_000), null))
        .isInstanceOf(PilotEvents.Refusal.class)
        .hasMessageContaining("no credential");
    String otherJobs = fx.jobToken("51");
    assertThatThrownBy(
            () ->
                fx.dispatcher.register(
                    p, fx.register(p.id, "50", 512, fx.now.get() + 60_000), otherJobs))
        .isInstanceOf(PilotEvents.Refusal.class)
        .hasMessageContaining("is for job 51, not job 50");
    String unbound = fx.credentials.forSubmission();
    assertThatThrownBy(
            () ->
                fx.dispatcher.register(
                    p, fx.register(p.id, "50", 512, fx.now.get() + 60_000), unbound))
        .isInstanceOf(PilotEvents.Refusal.class)
        .hasMessageContaining("bound to no job");
    assertThat(
            fx.dispatcher.register(
                p, fx.register(p.id, "50", 512, fx.now.get() + 60_000), fx.jobToken("50")))
        .isEqualTo(p.id);
    assertThat(p.sent.get(0)).isInstanceOf(BalancerMessage.Registered.class);
    assertThat(fx.dispatcher.registeredJobs()).containsExactly(Map.entry(p.id, "50"));
    var spoof = fx.new FakePilot("53");
    assertThatThrownBy(
            () ->
                fx.dispatcher.register(
                    spoof,
                    fx.register("slurm-54", "53", 512, fx.now.get() + 60_000),
                    fx.jobToken("53")))
        .isInstanceOf(PilotEvents.Refusal.class)
        .hasMessageContaining("does not match job 53");
  }

  @Test
  void forgettingAnActionTellsEveryRegisteredPilot() throws Exception {
    var p = fx.pilot("90", 512);
    var q = fx.pilot("91", 512);
    fx.dispatcher.forget("/alice/hello");
    for (var pilot : List.of(p, q)) {
      assertThat(pilot.sent)
          .filteredOn(m -> m instanceof BalancerMessage.Forget)
          .containsExactly(
              new BalancerMessage.Forget("/alice/hello", "the action was deleted or replaced"));
    }
  }

  @Test
  void aPilotGetsWorkOnlyFromItsFirstHeartbeatOn() throws Exception {
    var p = fx.new FakePilot("70");
    fx.dispatcher.register(
        p, fx.register(p.id, "70", 512, fx.now.get() + 600_000), fx.jobToken("70"));
    RunRequest r = fx.request("alice", true);
    fx.dispatch(r);
    assertThat(p.activated()).isEmpty();
    p.heartbeat();
    assertThat(p.activated()).containsExactly(r.activationId());
  }

  @Test
  void anActionLargerThanEveryPilotFailsAtOnce() throws Exception {
    fx.pilot("60", 256);
    CompletableFuture<RunOutcome> result = fx.dispatch(fx.request("alice", true, 512));
    assertThat(result).isCompleted();
    assertThat(result.join().response().result().get("error").asText())
        .contains("No pilot can run this action");
  }
}
