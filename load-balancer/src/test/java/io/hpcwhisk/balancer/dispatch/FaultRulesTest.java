package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dispatcher's fault rules against fake pilot connections: started vs. acknowledged on hand-back,
 * loss and lease expiry (minor-1 and minor-0 pilots); no double run after a missing acknowledgement;
 * unresponsive pilots recover; runtime start failures are the pilot's fault. Each activation ends once.
 */
class FaultRulesTest {

  private final DispatcherFixture fx = new DispatcherFixture();

  enum Event { HAND_BACK, LOST, LEASE_EXPIRED }

  enum State { SENT, ACKNOWLEDGED, STARTED }

  /** minor, state reached on the first pilot, event, retry-safe -> re-dispatched at once? */
  static Stream<Arguments> takeBackTable() {
    return Stream.of(
        // minor 1: only 'started' counts as started
        Arguments.of(1, State.ACKNOWLEDGED, Event.HAND_BACK, false, true),
        Arguments.of(1, State.STARTED, Event.HAND_BACK, false, false),
        Arguments.of(1, State.STARTED, Event.HAND_BACK, true, true),
        Arguments.of(1, State.SENT, Event.LOST, false, true),
        Arguments.of(1, State.ACKNOWLEDGED, Event.LOST, false, true),
        Arguments.of(1, State.STARTED, Event.LOST, false, false),
        Arguments.of(1, State.STARTED, Event.LOST, true, true),
        Arguments.of(1, State.ACKNOWLEDGED, Event.LEASE_EXPIRED, false, true),
        Arguments.of(1, State.STARTED, Event.LEASE_EXPIRED, false, false),
        Arguments.of(1, State.STARTED, Event.LEASE_EXPIRED, true, true),
        // minor 0: what was acknowledged may have started
        Arguments.of(0, State.SENT, Event.HAND_BACK, false, true),
        Arguments.of(0, State.ACKNOWLEDGED, Event.HAND_BACK, false, false),
        Arguments.of(0, State.ACKNOWLEDGED, Event.LOST, false, false),
        Arguments.of(0, State.ACKNOWLEDGED, Event.LOST, true, true),
        Arguments.of(0, State.ACKNOWLEDGED, Event.LEASE_EXPIRED, false, false));
  }

  @ParameterizedTest(name = "minor {0}, {1}, {2}, retry-safe {3} -> re-dispatched {4}")
  @MethodSource("takeBackTable")
  void takenBackActivationsGoAgainIfNotStartedOrRetrySafe(int minor, State state, Event event, boolean retrySafe,
      boolean redispatched) throws Exception {
    var first = fx.pilotMinor("1", 512, minor);
    RunRequest r = fx.request("alice", retrySafe);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    String id = r.activationId();
    if (state != State.SENT) {
      first.accept(id);
    }
    if (state == State.STARTED) {
      first.started(id);
    }
    var second = fx.pilotMinor("2", 512, minor);
    switch (event) {
      case HAND_BACK -> {
        first.drain();
        if (minor >= 1) {
          first.handBack(state == State.STARTED, id);
        } else {
          first.handBack(id);
        }
      }
      case LOST -> first.lose();
      case LEASE_EXPIRED -> {
        for (int i = 0; i < 71; i++) { // 60 s timeout + 10 s slack; both keep heartbeating
          fx.now.addAndGet(1000);
          first.heartbeat();
          second.heartbeat();
          fx.dispatcher.tick();
        }
      }
    }
    if (event == Event.LEASE_EXPIRED && redispatched && state != State.STARTED) {
      assertThat(first.cancelled()).as("the pilot that may still hold it unstarted is told to drop it").contains(id);
    }
    if (redispatched) {
      assertThat(second.activated()).containsExactly(id);
      assertThat(result).isNotDone();
      second.accept(id);
      second.started(id);
      second.complete(id);
      assertThat(result.join().response().success()).isTrue();
    } else {
      assertThat(second.activated()).isEmpty();
      assertThat(result.join().response().result().get("error").asText()).startsWith("pilot preempted")
          .contains("retry-safe=false");
    }
    assertThat(fx.ended()).isEqualTo(1);
  }

  @Test
  void afterAMissingAckTheSilentPilotIsToldToCancelAndItsLateResultIsDroppedAndCounted() throws Exception {
    var silent = fx.pilotMinor("10", 256, 1);
    RunRequest r = fx.request("alice", false);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    var other = fx.pilotMinor("11", 256, 1);
    heartbeatsFor(2_100, silent, other); // the silent pilot heartbeats but does not acknowledge
    assertThat(silent.cancelled()).containsExactly(r.activationId());
    assertThat(other.activated()).containsExactly(r.activationId());
    other.accept(r.activationId());
    other.started(r.activationId());
    silent.accept(r.activationId()); // late: ignored
    silent.complete(r.activationId()); // it ran it after all: dropped and counted, not the record
    assertThat(result).isNotDone();
    assertThat(fx.counter("whisk_late_results", "kind", "cancelled")).isEqualTo(1);
    other.complete(r.activationId());
    assertThat(result.join().response().result().get("by").asText()).isEqualTo(other.id);
    assertThat(fx.ended()).isEqualTo(1);
    assertThat(fx.dispatcher.snapshot().reservedMbByPilot()).containsEntry(silent.id, 0).containsEntry(other.id, 0);
  }

  /** Lets {@code ms} pass in 100 ms steps, the given pilots heartbeating every 500 ms. */
  private void heartbeatsFor(long ms, DispatcherFixture.FakePilot... pilots) {
    for (long t = 100; t <= ms; t += 100) {
      fx.now.addAndGet(100);
      if (t % 500 == 0) {
        for (var p : pilots) {
          p.heartbeat();
        }
      }
      fx.dispatcher.tick();
    }
  }

  @Test
  void aStartReportedByAPilotThatWasToldToCancelIsCountedAsADoubleRun() throws Exception {
    var silent = fx.pilotMinor("12", 256, 1);
    RunRequest r = fx.request("alice", false);
    fx.dispatch(r);
    var other = fx.pilotMinor("13", 256, 1);
    assertThat(other.activated()).isEmpty();
    heartbeatsFor(2_100, silent, other);
    silent.started(r.activationId());
    assertThat(fx.counter("whisk_starts_after_cancel")).isEqualTo(1);
  }

  @Test
  void aLostPilotThatComesBackIsToldToCancelWhatWasTakenBackUnstarted() throws Exception {
    var p = fx.pilotMinor("14", 512, 1);
    RunRequest r = fx.request("alice", false);
    fx.dispatch(r);
    p.accept(r.activationId());
    var other = fx.pilotMinor("15", 512, 1);
    p.lose();
    assertThat(other.activated()).containsExactly(r.activationId());
    var back = fx.pilotMinor("14", 512, 1); // the same job reconnects
    assertThat(back.cancelled()).containsExactly(r.activationId());
  }

  @Test
  void anUnresponsivePilotGetsNothingNewIsProbedAndRecoversWhenItAnswers() throws Exception {
    var p = fx.pilotMinor("20", 4096, 1);
    for (int i = 0; i < 4; i++) { // four activations never acknowledged: 4 timeouts
      fx.dispatch(fx.request("alice", true));
    }
    var helper = fx.pilotMinor("21", 256, 1);
    fx.now.addAndGet(2_100);
    p.heartbeat();
    helper.heartbeat();
    fx.dispatcher.tick();
    fx.now.addAndGet(1_000);
    p.heartbeat();
    helper.heartbeat();
    fx.dispatcher.tick();
    assertThat(p.pings()).isNotEmpty();
    RunRequest next = fx.request("bob", true);
    fx.dispatch(next);
    assertThat(p.activated()).doesNotContain(next.activationId()); // unresponsive: nothing new
    p.sendRaw(PilotProtocol.sample("pong.json"));
    RunRequest after = fx.request("carol", true);
    fx.dispatch(after);
    assertThat(p.activated()).contains(after.activationId());
  }

  @Test
  void aSilentPilotIsUnresponsiveUntilItsHeartbeatsResume() throws Exception {
    var p = fx.pilotMinor("22", 512, 1);
    fx.now.addAndGet(2_100); // no heartbeat for 2.1 s: unresponsive, not yet offline
    fx.dispatcher.tick();
    RunRequest r = fx.request("alice", true);
    fx.dispatch(r);
    assertThat(p.activated()).isEmpty();
    p.heartbeat();
    assertThat(p.activated()).containsExactly(r.activationId());
  }

  @Test
  void theSilenceRuleNeverFiresBetweenTwoHeartbeats() {
    assertThat(PilotDispatcher.healthPolicy(ServerConfig.Pilots.DEFAULT).unresponsiveAfter())
        .isEqualTo(java.time.Duration.ofMillis(2000));
    var tight = new ServerConfig.Pilots(500, 1000, null, null, null, null, null);
    assertThat(PilotDispatcher.healthPolicy(tight).unresponsiveAfter()).isEqualTo(java.time.Duration.ofMillis(1000));
    var slow = new ServerConfig.Pilots(1000, 6000, null, null, null, null, null);
    assertThat(PilotDispatcher.healthPolicy(slow).unresponsiveAfter()).isEqualTo(java.time.Duration.ofMillis(4000));
  }

  /** minor, retry-safe -> re-dispatched to another pilot? */
  static Stream<Arguments> startFailureTable() {
    return Stream.of(Arguments.of(1, true, true), Arguments.of(1, false, false),
        Arguments.of(0, true, true), Arguments.of(0, false, false));
  }

  @ParameterizedTest(name = "minor {0}, retry-safe {1} -> re-dispatched {2}")
  @MethodSource("startFailureTable")
  void aRuntimeThatCannotStartIsThePilotsFault(int minor, boolean retrySafe, boolean redispatched) throws Exception {
    var broken = fx.pilotMinor("30", 512, minor);
    RunRequest r = fx.request("alice", retrySafe);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    var healthy = fx.pilotMinor("31", 512, minor);
    broken.accept(r.activationId());
    broken.runtimeStartFailed(r.activationId());
    if (redispatched) {
      assertThat(healthy.activated()).containsExactly(r.activationId());
      assertThat(fx.counter("whisk_redispatches", "cause", "runtime_start_failed")).isEqualTo(1);
      healthy.accept(r.activationId());
      healthy.complete(r.activationId());
      assertThat(result.join().response().success()).isTrue();
    } else {
      String error = result.join().response().result().get("error").asText();
      assertThat(error).contains("slurm-30 could not start the action's runtime").contains("mkfifo")
          .contains("not retry-safe");
      assertThat(result.join().response().statusCode()).isEqualTo(3);
    }
    // the broken pilot is unhealthy: nothing new for it
    RunRequest next = fx.request("bob", true);
    fx.dispatch(next);
    assertThat(broken.activated()).doesNotContain(next.activationId());
    assertThat(healthy.activated()).contains(next.activationId());
    assertThat(fx.ended()).isEqualTo(1);
  }

  @Test
  void eachAssignmentCountsAtMostOneStartHoweverItIsReported() throws Exception {
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    for (int i = 0; i < 3; i++) {
      var p = fx.pilotMinor("6" + i, 512, i % 2); // minor 0 and 1 alike
      p.accept(r.activationId());
      p.started(r.activationId()); // counted once with the acknowledgement of a minor-0 pilot
      p.drain();
      p.handBack(true, r.activationId()); // and not again with the hand-back
    }
    assertThat(result.join().response().result().get("error").asText()).contains("started 3 times");
  }

  @Test
  void workThatNoPilotEverStartsEndsAfterFiveTimesMaxAttemptsSends() throws Exception {
    var p = fx.pilotMinor("45", 512, 1);
    RunRequest r = fx.request("alice", false);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    for (int i = 0; i < 15 && !result.isDone(); i++) {
      p.accept(r.activationId());
      p.handBack(false, r.activationId()); // never started: re-dispatched at once, whatever the action
    }
    assertThat(p.activated()).hasSize(15);
    assertThat(result.join().response().result().get("error").asText()).contains("sent to pilots 15 times");
    assertThat(fx.ended()).isEqualTo(1);
  }

  @Test
  void runtimeStartFailuresAreRetriedOnAtMostMaxAttemptsPilots() throws Exception {
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    for (int i = 0; i < 3; i++) {
      var p = fx.pilotMinor("4" + i, 512, 1);
      assertThat(p.activated()).containsExactly(r.activationId());
      p.accept(r.activationId());
      p.runtimeStartFailed(r.activationId());
    }
    assertThat(result.join().response().result().get("error").asText()).contains("3 pilots could not start it");
  }

  @Test
  void goldenPilotSamplesDriveTheDispatcher() throws Exception {
    var p = fx.pilotMinor("50", 1024, 1);
    RunRequest a1 = fx.request("a1", "alice", false, 256);
    RunRequest a2 = fx.request("a2", "alice", false, 256);
    CompletableFuture<RunOutcome> r1 = fx.dispatch(a1);
    CompletableFuture<RunOutcome> r2 = fx.dispatch(a2);
    p.accept("a1");
    p.accept("a2");
    p.started("a2");
    var other = fx.pilotMinor("51", 1024, 1);
    p.drain();
    p.sendRaw(PilotProtocol.sample("hand-back.json")); // a1 not started, a2 started
    assertThat(other.activated()).containsExactly("a1");
    assertThat(r2.join().response().result().get("error").asText()).startsWith("pilot preempted");
    assertThat(r1).isNotDone();
    RunRequest a1b2 = fx.request("a1b2", "alice", false, 256);
    CompletableFuture<RunOutcome> r3 = fx.dispatch(a1b2);
    assertThat(other.activated()).contains("a1b2");
    other.accept("a1b2");
    other.sendRaw(PilotProtocol.sample("started.json"));
    other.sendRaw(PilotProtocol.sample("completed-fault.json"));
    assertThat(r3.join().response().result().get("error").asText()).contains("could not start the action's runtime")
        .contains("mkfifo");
    assertThat(p.sent).anyMatch(m -> m instanceof BalancerMessage.Registered reg && reg.minor() == PilotProtocol.MINOR);
  }
}
