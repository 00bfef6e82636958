package io.hpcwhisk.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.dispatch.Rig.Link;
import io.hpcwhisk.core.health.Health;
import io.hpcwhisk.core.health.HealthPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dispatch rules on hand-fed events: what each event changes in the state and which effects it
 * gives.
 */
class DispatchMachineTest {

  private final Rig b = new Rig();

  @Test
  void aRoutedActivationGoesThroughSentHeldRunningToOneEnd() {
    Link p = b.pilot("1", 512);
    assertThat(b.submit("a1", true))
        .containsExactly(new DispatchEffect.Activate<>(p, p.pilotId, "a1", 1));
    assertThat(b.state.flight("a1").phase()).isEqualTo(Flight.Phase.SENT);
    assertThat(b.state.reservedMbByPilot()).containsEntry(p.pilotId, 256);
    assertThat(b.accept(p, "a1")).isEmpty();
    assertThat(b.state.flight("a1").phase()).isEqualTo(Flight.Phase.HELD);
    assertThat(b.state.flight("a1").starts()).as("an acknowledgement is not a start").isZero();
    b.start(p, "a1");
    assertThat(b.state.flight("a1").phase()).isEqualTo(Flight.Phase.RUNNING);
    assertThat(b.state.flight("a1").starts()).isEqualTo(1);
    assertThat(b.complete(p, "a1"))
        .containsExactly(new DispatchEffect.Complete<>("a1", "success", null));
    assertThat(b.state.flight("a1")).isNull();
    assertThat(b.state.reservedMbByPilot()).containsEntry(p.pilotId, 0);
    assertThat(b.complete(p, "a1"))
        .as("a duplicate result is late")
        .containsExactly(
            new DispatchEffect.Count<>(DispatchEffect.Counter.LATE_RESULT, "after_end", 1));
  }

  @Test
  void whatNoPilotCanTakeWaitsInTheQueueAndGoesWhenOneRegisters() {
    List<DispatchEffect<Link>> effects = b.submit("a1", true);
    assertThat(effects)
        .containsExactly(
            new DispatchEffect.Count<>(DispatchEffect.Counter.ROUTING_REFUSAL, "no_pilots", 1));
    assertThat(b.state.flight("a1").phase()).isEqualTo(Flight.Phase.QUEUED);
    b.nowMs += 1500;
    Link p = b.pilot("2", 512);
    assertThat(b.sentTo(p)).containsExactly("a1");
    assertThat(b.effects)
        .contains(new DispatchEffect.Count<>(DispatchEffect.Counter.QUEUE_WAIT, "", 1500));
    assertThat(b.state.queued()).isZero();
  }

  @Test
  void aQueuedActivationEndsAfterTheWaitLimitNamingTheLastRefusal() {
    b.submit("a1", true);
    b.advance(60_000);
    assertThat(b.ends("a1")).isEmpty();
    b.advance(1);
    assertThat(b.ends("a1"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.label()).isEqualTo("queue_timeout");
              assertThat(c.error()).contains("within 60 s").contains("no pilot is registered");
            });
  }

  @Test
  void anActionLargerThanEveryPilotEndsAtOnce() {
    b.pilot("3", 128);
    assertThat(b.submit("a1", true))
        .contains(
            new DispatchEffect.Complete<>(
                "a1",
                "too_large",
                "No pilot can run this action: the action needs 256 MB; the largest pilot offers"
                    + " 128 MB."));
    assertThat(b.state.inFlight()).isZero();
  }

  /** How far the first pilot got, retry-safe -> re-dispatched at once when the pilot is lost? */
  static Stream<Arguments> lostPilotTable() {
    return Stream.of(
        Arguments.of(Flight.Phase.SENT, false, true),
        Arguments.of(Flight.Phase.HELD, false, true),
        Arguments.of(Flight.Phase.RUNNING, false, false),
        Arguments.of(Flight.Phase.RUNNING, true, true));
  }

  @ParameterizedTest(name = "{0}, retry-safe {1} -> re-dispatched {2}")
  @MethodSource("lostPilotTable")
  void aLostPilotsWorkGoesAgainIfItCannotHaveStartedOrIsRetrySafe(
      Flight.Phase reached, boolean retrySafe, boolean again) {
    Link first = b.pilot("10", 512);
    b.submit("a1", retrySafe);
    if (reached != Flight.Phase.SENT) {
      b.accept(first, "a1");
    }
    if (reached == Flight.Phase.RUNNING) {
      b.start(first, "a1");
    }
    assertThat(b.state.flight("a1").phase()).isEqualTo(reached);
    Link second = b.pilot("11", 512);
    b.lose(first);
    if (again) {
      assertThat(b.sentTo(second)).containsExactly("a1");
      assertThat(b.ends("a1")).isEmpty();
    } else {
      assertThat(b.sentTo(second)).isEmpty();
      assertThat(b.ends("a1"))
          .singleElement()
          .satisfies(
              c ->
                  assertThat(c.error())
                      .startsWith("pilot preempted")
                      .contains("slurm-10")
                      .contains("retry-safe=false"));
    }
  }

  @Test
  void aLostPilotIsOwedACancelForWhatWasTakenBackUnstartedAndGetsItWhenItRegistersAgain() {
    Link first = b.pilot("20", 512);
    b.submit("a1", false);
    b.accept(first, "a1");
    Link other = b.pilot("21", 512);
    b.lose(first);
    assertThat(b.sentTo(other)).containsExactly("a1");
    Link back = b.pilot("20", 512);
    assertThat(b.effects)
        .contains(new DispatchEffect.Cancel<>(back, "a1", "taken back while the pilot was away"));
    assertThat(b.complete(first, "a1"))
        .as("the pilot was told to cancel: its result is dropped")
        .containsExactly(
            new DispatchEffect.Count<>(DispatchEffect.Counter.CANCELLED_RESULT, "", 1));
    assertThat(b.complete(other, "a1"))
        .contains(new DispatchEffect.Complete<>("a1", "success", null));
  }

  @Test
  void noAcknowledgementInTimeCancelsOnThePilotAndSendsItElsewhere() {
    Link silent = b.pilot("30", 256);
    b.submit("a1", false);
    Link other = b.pilot("31", 256);
    for (int i = 0; i < 21; i++) {
      b.nowMs += 100;
      b.heartbeat(silent);
      b.heartbeat(other);
      b.on(new DispatchEvent.Tick<>());
    }
    assertThat(b.effects)
        .contains(
            new DispatchEffect.Cancel<>(silent, "a1", "not acknowledged in time"),
            new DispatchEffect.Count<>(DispatchEffect.Counter.REDISPATCH, "ack_timeout", 1));
    assertThat(b.sentTo(other)).containsExactly("a1");
    assertThat(b.start(silent, "a1"))
        .as("a start after the cancel is a double run")
        .contains(new DispatchEffect.Count<>(DispatchEffect.Counter.START_AFTER_CANCEL, "", 1));
  }

  @Test
  void messagesFromAConnectionTheActivationWasNotSentOverAreDropped() {
    Link real = b.pilot("40", 256);
    b.submit("a1", false);
    Link rogue = b.pilot("41", 256);
    assertThat(b.complete(rogue, "a1"))
        .containsExactly(
            new DispatchEffect.Dropped<>(
                DispatchEffect.DROPPED_FOREIGN, "completed", "a1", rogue.pilotId, rogue));
    assertThat(b.state.flight("a1").phase()).isEqualTo(Flight.Phase.SENT);
    b.accept(real, "a1");
    assertThat(b.complete(real, "a1"))
        .contains(new DispatchEffect.Complete<>("a1", "success", null));
  }

  @Test
  void aSecondRegistrationForAnIdHeldByAnOpenConnectionIsRefused() {
    Link holder = b.pilot("50", 512);
    Link hijacker = new Link(holder.pilotId, 99);
    assertThat(b.on(new DispatchEvent.Claimed<>(holder.pilotId, hijacker, true)))
        .containsExactly(
            new DispatchEffect.Refuse<>(
                "pilot id slurm-50 is held by a live connection; try again once it has closed or"
                    + " gone offline",
                true,
                DispatchEffect.REFUSED_ID_IN_USE));
    assertThat(b.state.current(holder.pilotId, holder)).isNotNull();
    assertThat(b.on(new DispatchEvent.Claimed<>(holder.pilotId, hijacker, false)))
        .as("its connection closed")
        .isEmpty();
  }

  @Test
  void anUnresponsivePilotIsProbedAndAPongMakesItHealthyAgain() {
    Link p = b.pilot("60", 4096);
    for (int i = 0; i < 4; i++) {
      b.submit("a" + i, true);
    }
    b.pilot("61", 256);
    b.nowMs += 2_100;
    b.heartbeat(p);
    b.on(new DispatchEvent.Tick<>());
    b.nowMs += 1_000;
    b.heartbeat(p);
    List<DispatchEffect<Link>> tick = b.on(new DispatchEvent.Tick<>());
    assertThat(tick).contains(new DispatchEffect.Ping<>(p, Long.toString(b.nowMs)));
    assertThat(b.state.pilot(p.pilotId).health().health()).isEqualTo(Health.UNRESPONSIVE);
    b.on(new DispatchEvent.Pong<>(p.pilotId, p));
    assertThat(b.state.pilot(p.pilotId).health().health()).isEqualTo(Health.HEALTHY);
  }

  @Test
  void aStoppedMachineClosesItsPilotsAndEndsNothingMore() {
    Link p = b.pilot("70", 512);
    b.submit("a1", true);
    List<DispatchEffect<Link>> stop = b.on(new DispatchEvent.Stopped<>());
    assertThat(stop).contains(new DispatchEffect.Close<>(p, 1001, "balancer stopping"));
    assertThat(b.state.pilots()).isEmpty();
    assertThat(b.submit("a2", true)).as("left pending for the next start").isEmpty();
    assertThat(b.advance(120_000)).isEmpty();
    assertThat(b.state.inFlight()).isEqualTo(2);
  }

  @Test
  void aDuplicateSubmissionIsRefusedWithoutChangingAnything() {
    b.submit("a1", true);
    assertThatThrownBy(() -> b.submit("a1", true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a1");
    assertThat(b.state.queued()).isEqualTo(1);
  }

  @Test
  void theSameEventsGiveTheSameEffects() {
    List<List<DispatchEffect<String>>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      DispatchMachine<String> m = new DispatchMachine<>(Rig.POLICY);
      DispatchState<String> s = m.initial();
      Instant t0 = Instant.ofEpochMilli(1_700_000_000_000L);
      List<DispatchEffect<String>> all = new ArrayList<>();
      String conn = "conn-1";
      all.addAll(
          m.next(
                  s,
                  new DispatchEvent.Registered<>(
                      new PilotSpec(
                          "slurm-1",
                          "1",
                          512,
                          List.of("nodejs:20"),
                          Map.of(),
                          t0.toEpochMilli() + 600_000,
                          null,
                          1),
                      conn,
                      false),
                  t0)
              .effects());
      all.addAll(
          m.next(s, new DispatchEvent.Heartbeat<>("slurm-1", conn, Map.of(), false), t0).effects());
      for (int i = 0; i < 5; i++) {
        all.addAll(
            m.next(
                    s,
                    new DispatchEvent.Submitted<>(
                        Rig.activation("a" + i, i % 2 == 0, 128, t0.toEpochMilli())),
                    t0)
                .effects());
      }
      all.addAll(m.next(s, new DispatchEvent.Tick<>(), t0.plusSeconds(3)).effects());
      all.removeIf(
          e ->
              e instanceof DispatchEffect.Joined<String>
                  || e instanceof DispatchEffect.Left<String>);
      runs.add(all);
    }
    assertThat(runs.get(0)).isNotEmpty().isEqualTo(runs.get(1));
  }

  @Test
  void thePolicyRefusesNonsense() {
    assertThatThrownBy(() -> new DispatchPolicy(HealthPolicy.DEFAULT, 0, 10_000, 10, 60_000, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 ms");
  }

  @Test
  void aPilotSpecWithProtocolMinorZeroIsRefusedNamingTheMinor() {
    assertThatThrownBy(
            () -> new PilotSpec("slurm-1", "1", 512, List.of("nodejs:20"), Map.of(), 1L, null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 or later")
        .hasMessageContaining("got 0");
  }
}
