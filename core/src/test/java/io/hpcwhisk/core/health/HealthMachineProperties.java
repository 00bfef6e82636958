package io.hpcwhisk.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the health machine over random signal histories: an UNRESPONSIVE pilot recovers
 * when it answers again, and never gets work while silent past the limit.
 */
class HealthMachineProperties {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final HealthMachine machine = new HealthMachine(HealthPolicy.DEFAULT);

  /** A random history: signal kind and a gap in ms before it. */
  @Provide
  Arbitrary<List<int[]>> histories() {
    return Arbitraries.integers()
        .between(0, 6)
        .flatMap(kind -> Arbitraries.integers().between(0, 4000).map(gap -> new int[] {kind, gap}))
        .list()
        .ofMaxSize(40);
  }

  private static HealthSignal signal(int kind, Instant at) {
    return switch (kind) {
      case 0 -> new HealthSignal.Heartbeat(at);
      case 1 -> new HealthSignal.ActivationEnded(at, HealthSignal.Outcome.OK);
      case 2 -> new HealthSignal.ActivationEnded(at, HealthSignal.Outcome.TIMEOUT);
      case 3 -> new HealthSignal.ActivationEnded(at, HealthSignal.Outcome.SYSTEM_ERROR);
      case 4 -> new HealthSignal.Answered(at);
      case 5 -> new HealthSignal.ConnectionLost(at);
      default -> new HealthSignal.Tick(at);
    };
  }

  private record Run(PilotHealthState state, Instant now) {}

  private Run replay(List<int[]> history) {
    PilotHealthState state = PilotHealthState.registered(T0);
    Instant now = T0;
    for (int[] step : history) {
      now = now.plusMillis(step[1]);
      state = machine.next(state, signal(step[0], now));
    }
    return new Run(state, now);
  }

  @Property
  void anUnresponsivePilotThatHeartbeatsAndAnswersIsHealthyUnlessItsErrorsSayOtherwise(
      @ForAll("histories") List<int[]> history) {
    Run run = replay(history);
    Instant later = run.now().plusMillis(100);
    PilotHealthState state =
        machine.next(
            machine.next(run.state(), new HealthSignal.Heartbeat(later)),
            new HealthSignal.Answered(later));
    long errors =
        state.recent().stream().filter(o -> o == HealthSignal.Outcome.SYSTEM_ERROR).count();
    assertThat(state.recent()).doesNotContain(HealthSignal.Outcome.TIMEOUT);
    assertThat(state.health())
        .as(state.reason())
        .isEqualTo(errors > HealthPolicy.DEFAULT.maxFailures() ? Health.UNHEALTHY : Health.HEALTHY);
  }

  @Property
  void aPilotSilentPastTheUnresponsiveLimitNeverAcceptsWork(
      @ForAll("histories") List<int[]> history) {
    Run run = replay(history);
    Instant limit = run.state().lastHeartbeat().plus(HealthPolicy.DEFAULT.unresponsiveAfter());
    Instant tickAt = limit.isAfter(run.now()) ? limit : run.now();
    PilotHealthState state = machine.next(run.state(), new HealthSignal.Tick(tickAt));
    assertThat(Duration.between(state.lastHeartbeat(), tickAt))
        .isGreaterThanOrEqualTo(HealthPolicy.DEFAULT.unresponsiveAfter());
    assertThat(state.health().acceptsWork()).as(state.reason()).isFalse();
    assertThat(state.health()).isIn(Health.UNRESPONSIVE, Health.OFFLINE);
  }

  @Property
  void onlyHealthyAcceptsWorkAndEveryStateHasAReason(@ForAll("histories") List<int[]> history) {
    List<PilotHealthState> states = new ArrayList<>();
    PilotHealthState state = PilotHealthState.registered(T0);
    Instant now = T0;
    for (int[] step : history) {
      now = now.plusMillis(step[1]);
      state = machine.next(state, signal(step[0], now));
      states.add(state);
    }
    for (PilotHealthState s : states) {
      assertThat(s.health().acceptsWork()).isEqualTo(s.health() == Health.HEALTHY);
      assertThat(s.reason()).isNotBlank();
    }
  }
}
