package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dispatcher's fault rules against fake pilot connections: started vs. acknowledged on
 * hand-back, loss and lease expiry; no double run after a missing acknowledgement; unresponsive
 * pilots recover; runtime start failures are the pilot's fault. Each activation ends once.
 */
class FaultRulesTest {

  private final DispatcherFixture fx = new DispatcherFixture();

  enum Event {
    HAND_BACK,
    LOST,
    LEASE_EXPIRED
  }

  enum State {
    SENT,
    ACKNOWLEDGED,
    STARTED
  }

  /**
   * State reached on the first pilot, event, retry-safe -> re-dispatched at once? Only 'started' is
   * a start.
   */
  static Stream<Arguments> takeBackTable() {
    return Stream.of(
        Arguments.of(State.SENT, Event.HAND_BACK, false, true),
        Arguments.of(State.ACKNOWLEDGED, Event.HAND_BACK, false, true),
        Arguments.of(State.STARTED, Event.HAND_BACK, false, false),
        Arguments.of(State.STARTED, Event.HAND_BACK, true, true),
        Arguments.of(State.SENT, Event.LOST, false, true),
        Arguments.of(State.ACKNOWLEDGED, Event.LOST, false, true),
        Arguments.of(State.STARTED, Event.LOST, false, false),
        Arguments.of(State.STARTED, Event.LOST, true, true),
        Arguments.of(State.ACKNOWLEDGED, Event.LEASE_EXPIRED, false, true),
        Arguments.of(State.STARTED, Event.LEASE_EXPIRED, false, false),
        Arguments.of(State.STARTED, Event.LEASE_EXPIRED, true, true));
  }

  @ParameterizedTest(name = "{0}, {1}, retry-safe {2} -> re-dispatched {3}")
  @MethodSource("takeBackTable")
  void takenBackActivationsGoAgainIfNotStartedOrRetrySafe(
      State state, Event event, boolean retrySafe, boolean redispatched) throws Exception {
    var first = fx.pilot("1", 512);
    RunRequest r = fx.request("alice", retrySafe);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    String id = r.activationId();
    if (state != State.SENT) {
      first.accept(id);
    }
    if (state == State.STARTED) {
      first.started(id);
    }
    var second = fx.pilot("2", 512);
    switch (event) {
      case HAND_BACK -> {
        first.drain();
        first.handBack(state == State.STARTED, id);
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
      default -> throw new IllegalStateException("unknown event " + event);
    }
    if (event == Event.LEASE_EXPIRED && redispatched && state != State.STARTED) {
      assertThat(first.cancelled())
          .as("the pilot that may still hold it unstarted is told to drop it")
          .contains(id);
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
      assertThat(result.join().response().result().get("error").asText())
          .startsWith("pilot preempted")
          .contains("retry-safe=false");
    }
    assertThat(fx.ended()).isEqualTo(1);
  }

  @Test
  void afterAMissingAckTheSilentPilotIsToldToCancelAndItsLateResultIsDroppedAndCounted()
      throws Exception {
    var silent = fx.pilot("10", 256);
    RunRequest r = fx.request("alice", false);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    var other = fx.pilot("11", 256);
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
    assertThat(fx.dispatcher.snapshot().reservedMbByPilot())
        .containsEntry(silent.id, 0)
        .containsEntry(other.id, 0);
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
    var silent = fx.pilot("12", 256);
    RunRequest r = fx.request("alice", false);
    fx.dispatch(r);
    var other = fx.pilot("13", 256);
    assertThat(other.activated()).isEmpty();
    heartbeatsFor(2_100, silent, other);
    silent.started(r.activationId());
    assertThat(fx.counter("whisk_starts_after_cancel")).isEqualTo(1);
  }

  @Test
  void aLostPilotThatComesBackIsToldToCancelWhatWasTakenBackUnstarted() throws Exception {
    var p = fx.pilot("14", 512);
    RunRequest r = fx.request("alice", false);
    fx.dispatch(r);
    p.accept(r.activationId());
    var other = fx.pilot("15", 512);
    p.lose();
    assertThat(other.activated()).containsExactly(r.activationId());
    var back = fx.pilot("14", 512); // the same job reconnects
    assertThat(back.cancelled()).containsExactly(r.activationId());
  }

  @Test
  void anUnresponsivePilotGetsNothingNewIsProbedAndRecoversWhenItAnswers() throws Exception {
    var p = fx.pilot("20", 4096);
    for (int i = 0; i < 4; i++) { // four activations never acknowledged: 4 timeouts
      fx.dispatch(fx.request("alice", true));
    }
    var helper = fx.pilot("21", 256);
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
    var p = fx.pilot("22", 512);
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
        .isEqualTo(Duration.ofMillis(2000));
    var tight = new ServerConfig.Pilots(500, 1000, null, null, null, null, null);
    assertThat(PilotDispatcher.healthPolicy(tight).unresponsiveAfter())
        .isEqualTo(Duration.ofMillis(1000));
    var slow = new ServerConfig.Pilots(1000, 6000, null, null, null, null, null);
    assertThat(PilotDispatcher.healthPolicy(slow).unresponsiveAfter())
        .isEqualTo(Duration.ofMillis(4000));
  }

  /** Retry-safe -> re-dispatched to another pilot? */
  static Stream<Arguments> startFailureTable() {
    return Stream.of(Arguments.of(true, true), Arguments.of(false, false));
  }

  @ParameterizedTest(name = "retry-safe {0} -> re-dispatched {1}")
  @MethodSource("startFailureTable")
  void aRuntimeThatCannotStartIsThePilotsFault(boolean retrySafe, boolean redispatched)
      throws Exception {
    var broken = fx.pilot("30", 512);
    RunRequest r = fx.request("alice", retrySafe);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    var healthy = fx.pilot("31", 512);
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
      assertThat(error)
          .contains("slurm-30 could not start the action's runtime")
          .contains("mkfifo")
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
  void theRuntimeStartTextWithoutTheFaultIsTheActionsOwnResult() throws Exception {
    var p = fx.pilot("32", 512);
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    var other = fx.pilot("33", 512);
    p.accept(r.activationId());
    p.started(r.activationId());
    long t = fx.now.get();
    // what only a minor-0 pilot sent (no fault): an action may print the same words itself
    fx.dispatcher.message(
        p.id,
        p,
        new PilotMessage.Completed(
            new ActivationOutcome(
                r.activationId(),
                ActivationStatus.WHISK_ERROR,
                JsonNodeFactory.instance
                    .objectNode()
                    .put("error", "The pilot could not start the nodejs:20 runtime: mkfifo failed"),
                List.of(),
                t,
                t,
                0,
                0,
                false)));
    assertThat(result.join().response().result().get("error").asText())
        .isEqualTo("The pilot could not start the nodejs:20 runtime: mkfifo failed");
    assertThat(other.activated()).isEmpty();
    assertThat(fx.counter("whisk_redispatches", "cause", "runtime_start_failed")).isZero();
  }

  @Test
  void eachAssignmentCountsAtMostOneStartHoweverItIsReported() throws Exception {
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    for (int i = 0; i < 3; i++) {
      var p = fx.pilot("6" + i, 512);
      p.accept(r.activationId()); // not a start
      p.started(r.activationId()); // counted once
      p.drain();
      p.handBack(true, r.activationId()); // and not again with the hand-back
    }
    assertThat(result.join().response().result().get("error").asText()).contains("started 3 times");
  }

  @Test
  void workThatNoPilotEverStartsEndsAfterFiveTimesMaxAttemptsSends() throws Exception {
    var p = fx.pilot("45", 512);
    RunRequest r = fx.request("alice", false);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    for (int i = 0; i < 15 && !result.isDone(); i++) {
      p.accept(r.activationId());
      p.handBack(
          false, r.activationId()); // never started: re-dispatched at once, whatever the action
    }
    assertThat(p.activated()).hasSize(15);
    assertThat(result.join().response().result().get("error").asText())
        .contains("sent to pilots 15 times");
    assertThat(fx.ended()).isEqualTo(1);
  }

  @Test
  void runtimeStartFailuresAreRetriedOnAtMostMaxAttemptsPilots() throws Exception {
    RunRequest r = fx.request("alice", true);
    CompletableFuture<RunOutcome> result = fx.dispatch(r);
    for (int i = 0; i < 3; i++) {
      var p = fx.pilot("4" + i, 512);
      assertThat(p.activated()).containsExactly(r.activationId());
      p.accept(r.activationId());
      p.runtimeStartFailed(r.activationId());
    }
    assertThat(result.join().response().result().get("error").asText())
        .contains("3 pilots could not start it");
  }

  @Test
  void goldenPilotSamplesDriveTheDispatcher() throws Exception {
    var p = fx.pilot("50", 1024);
    RunRequest a1 = fx.request("a1", "alice", false, 256);
    RunRequest a2 = fx.request("a2", "alice", false, 256);
    CompletableFuture<RunOutcome> r1 = fx.dispatch(a1);
    CompletableFuture<RunOutcome> r2 = fx.dispatch(a2);
    p.accept("a1");
    p.accept("a2");
    p.started("a2");
    var other = fx.pilot("51", 1024);
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
    assertThat(r3.join().response().result().get("error").asText())
        .contains("could not start the action's runtime")
        .contains("mkfifo");
    assertThat(p.sent)
        .anyMatch(
            m -> m instanceof BalancerMessage.Registered reg && reg.minor() == PilotProtocol.MINOR);
  }
}
