package io.hpcwhisk.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcwhisk.core.health.HealthSignal.ActivationEnded;
import io.hpcwhisk.core.health.HealthSignal.ConnectionLost;
import io.hpcwhisk.core.health.HealthSignal.Heartbeat;
import io.hpcwhisk.core.health.HealthSignal.Outcome;
import io.hpcwhisk.core.health.HealthSignal.Tick;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HealthMachineTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final HealthMachine machine = new HealthMachine(HealthPolicy.DEFAULT);

  private static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  private PilotHealthState run(List<HealthSignal> signals) {
    PilotHealthState state = PilotHealthState.registered(T0);
    for (HealthSignal s : signals) {
      state = machine.next(state, s);
    }
    return state;
  }

  private static List<HealthSignal> outcomes(Outcome outcome, int count, double from) {
    List<HealthSignal> list = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      list.add(new ActivationEnded(at(from + i * 0.1), outcome));
    }
    return list;
  }

  private static List<HealthSignal> concat(List<HealthSignal> a, List<HealthSignal> b) {
    List<HealthSignal> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("registered, nothing else", List.of(), Health.HEALTHY),
        Arguments.of(
            "heartbeats every second",
            List.of(new Heartbeat(at(1)), new Heartbeat(at(2)), new Tick(at(3.5))),
            Health.HEALTHY),
        Arguments.of("silent for 1.9 s", List.of(new Tick(at(1.9))), Health.HEALTHY),
        Arguments.of("silent for 2 s: unresponsive", List.of(new Tick(at(2))), Health.UNRESPONSIVE),
        Arguments.of(
            "silent for 2.9 s: unresponsive", List.of(new Tick(at(2.9))), Health.UNRESPONSIVE),
        Arguments.of(
            "unresponsive by silence, heartbeats resume",
            List.of(new Tick(at(2.5)), new Heartbeat(at(2.6))),
            Health.HEALTHY),
        Arguments.of(
            "4 timeouts, then heartbeats only: still unresponsive",
            concat(
                outcomes(Outcome.TIMEOUT, 4, 0.1),
                List.of(new Heartbeat(at(1)), new Tick(at(1.5)))),
            Health.UNRESPONSIVE),
        Arguments.of(
            "4 timeouts, then it answers the probe",
            concat(
                outcomes(Outcome.TIMEOUT, 4, 0.1),
                List.of(new Heartbeat(at(1)), new HealthSignal.Answered(at(1.1)))),
            Health.HEALTHY),
        Arguments.of(
            "4 timeouts and 4 errors, it answers: unhealthy remains",
            concat(
                concat(outcomes(Outcome.TIMEOUT, 4, 0.1), outcomes(Outcome.SYSTEM_ERROR, 4, 0.5)),
                List.of(new HealthSignal.Answered(at(1)))),
            Health.UNHEALTHY),
        Arguments.of(
            "runtime start failure",
            List.of(new HealthSignal.RuntimeStartFailed(at(1), "mkfifo failed")),
            Health.UNHEALTHY),
        Arguments.of(
            "runtime start failure, 29 s later",
            List.of(
                new HealthSignal.RuntimeStartFailed(at(1), "x"),
                new Heartbeat(at(30)),
                new Tick(at(30.9))),
            Health.UNHEALTHY),
        Arguments.of(
            "runtime start failure, 30 s later: healthy again",
            List.of(
                new HealthSignal.RuntimeStartFailed(at(1), "x"),
                new Heartbeat(at(31)),
                new Tick(at(31.1))),
            Health.HEALTHY),
        Arguments.of(
            "answered does not cure a start failure",
            List.of(
                new HealthSignal.RuntimeStartFailed(at(1), "x"),
                new HealthSignal.Answered(at(1.5))),
            Health.UNHEALTHY),
        Arguments.of("silent for 3 s", List.of(new Tick(at(3))), Health.OFFLINE),
        Arguments.of("connection lost", List.of(new ConnectionLost(at(0.5))), Health.OFFLINE),
        Arguments.of(
            "offline, then heartbeat again",
            List.of(new Tick(at(5)), new Heartbeat(at(5.5))),
            Health.HEALTHY),
        Arguments.of(
            "lost, then reconnected",
            List.of(new ConnectionLost(at(1)), new Heartbeat(at(1.5))),
            Health.HEALTHY),
        Arguments.of("3 system errors", outcomes(Outcome.SYSTEM_ERROR, 3, 0.1), Health.HEALTHY),
        Arguments.of("4 system errors", outcomes(Outcome.SYSTEM_ERROR, 4, 0.1), Health.UNHEALTHY),
        Arguments.of("4 timeouts", outcomes(Outcome.TIMEOUT, 4, 0.1), Health.UNRESPONSIVE),
        Arguments.of(
            "4 errors pushed out by 7 successes",
            concat(outcomes(Outcome.SYSTEM_ERROR, 4, 0.1), outcomes(Outcome.OK, 7, 0.6)),
            Health.HEALTHY),
        Arguments.of(
            "4 errors, 6 successes: still in the window",
            concat(outcomes(Outcome.SYSTEM_ERROR, 4, 0.1), outcomes(Outcome.OK, 6, 0.6)),
            Health.UNHEALTHY),
        Arguments.of(
            "timeouts win over errors",
            concat(outcomes(Outcome.SYSTEM_ERROR, 4, 0.1), outcomes(Outcome.TIMEOUT, 4, 0.6)),
            Health.UNRESPONSIVE),
        Arguments.of(
            "offline wins over unhealthy",
            concat(outcomes(Outcome.SYSTEM_ERROR, 5, 0.1), List.of(new Tick(at(4)))),
            Health.OFFLINE));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("table")
  void derivesHealthFromSignals(String name, List<HealthSignal> signals, Health expected) {
    PilotHealthState state = run(signals);
    assertThat(state.health()).as(state.reason()).isEqualTo(expected);
    assertThat(state.reason()).isNotBlank();
  }

  @Test
  void offlineReasonSaysHowLongItWasSilent() {
    PilotHealthState state = run(List.of(new Heartbeat(at(1)), new Tick(at(4.2))));
    assertThat(state.reason()).isEqualTo("no heartbeat for 3200 ms (limit 3000 ms)");
  }

  @Test
  void anOlderHeartbeatDoesNotMoveTimeBack() {
    PilotHealthState state = run(List.of(new Heartbeat(at(2)), new Heartbeat(at(1))));
    assertThat(state.lastHeartbeat()).isEqualTo(at(2));
  }

  @Test
  void theRingBufferKeepsTheLastWindowOutcomes() {
    PilotHealthState state = run(outcomes(Outcome.OK, 25, 0.01));
    assertThat(state.recent()).hasSize(HealthPolicy.DEFAULT.window());
  }

  @Test
  void aStartFailureNamesItsCauseAndWhenItEnds() {
    PilotHealthState state =
        run(List.of(new HealthSignal.RuntimeStartFailed(at(1), "mkfifo failed")));
    assertThat(state.reason()).contains("mkfifo failed").contains(at(31).toString());
  }

  @Test
  void policyRejectsNonsense() {
    assertThatThrownBy(
            () ->
                new HealthPolicy(
                    Duration.ofSeconds(3), Duration.ofSeconds(4), 10, 3, Duration.ZERO))
        .hasMessageContaining("unresponsiveAfter PT4S");
    assertThatThrownBy(() -> new HealthPolicy(Duration.ZERO, 10, 3))
        .hasMessageContaining("offlineAfter PT0S");
    assertThatThrownBy(() -> new HealthPolicy(Duration.ofSeconds(3), 10, 10))
        .hasMessageContaining("maxFailures 10");
  }
}
