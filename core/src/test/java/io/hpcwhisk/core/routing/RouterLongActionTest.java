package io.hpcwhisk.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.health.Health;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The deadline rule for long actions: never on a pilot whose Slurm job ends before they can. */
class RouterLongActionTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static PilotView pilot(String id, long secondsLeft) {
    return new PilotView(
        id,
        Health.HEALTHY,
        false,
        2048,
        2048,
        Set.of("nodejs:20"),
        Set.of(),
        NOW.plusSeconds(secondsLeft));
  }

  private static RoutingRequest request(Duration timeout) {
    return new RoutingRequest("/ns/long@0.0.1", "nodejs:20", 256, timeout);
  }

  @Test
  void aTwentyMinuteActionIsRefusedByPilotsWithLessTimeLeft() {
    RoutingDecision d =
        Router.choose(
            List.of(pilot("a", 10 * 60), pilot("b", 19 * 60)),
            request(Duration.ofMinutes(20)),
            NOW);
    assertThat(d).isInstanceOf(RoutingDecision.Refused.class);
    RoutingDecision.Refused refused = (RoutingDecision.Refused) d;
    assertThat(refused.cause()).isEqualTo(RoutingDecision.Cause.NO_TIME_LEFT);
    assertThat(refused.cause().label()).isEqualTo("no_time_left");
    assertThat(refused.reason())
        .isEqualTo(
            "the action's timeout is 1200 s and none of 2 pilots with room for it has that long"
                + " left in its Slurm job (the most is 1140 s)");
  }

  @Test
  void aTwentyMinuteActionGoesToThePilotWithTwentyMinutesLeft() {
    RoutingDecision d =
        Router.choose(
            List.of(pilot("a", 10 * 60), pilot("b", 20 * 60), pilot("c", 5 * 60)),
            request(Duration.ofMinutes(20)),
            NOW);
    assertThat(d).isEqualTo(new RoutingDecision.Routed("b", ((RoutingDecision.Routed) d).reason()));
  }

  @Test
  void aShortActionStillFallsBackToALatePilot() {
    RoutingDecision d =
        Router.choose(List.of(pilot("a", 60)), request(Router.LATE_FALLBACK_LIMIT), NOW);
    assertThat(d).isInstanceOf(RoutingDecision.Routed.class);
    assertThat(d.reason()).contains("no pilot has 300 s left, the best has 60 s");
  }

  @Provide
  Arbitrary<List<PilotView>> pilots() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 20),
            Arbitraries.of(Health.HEALTHY, Health.HEALTHY, Health.UNHEALTHY),
            Arbitraries.of(256, 2048),
            Arbitraries.integers().between(-10, 4 * 3600))
        .as(
            (id, health, free, left) ->
                new PilotView(
                    "p" + id,
                    health,
                    false,
                    2048,
                    free,
                    Set.of("nodejs:20"),
                    Set.of(),
                    NOW.plusSeconds(left)))
        .list()
        .ofMaxSize(10)
        .uniqueElements(PilotView::id);
  }

  @Provide
  Arbitrary<RoutingRequest> longRequests() {
    return Arbitraries.integers()
        .between(301, 3 * 3600)
        .map(s -> new RoutingRequest("/ns/long@1", "nodejs:20", 512, Duration.ofSeconds(s)));
  }

  @Property
  void aLongActionOnlyEverGoesToAPilotWithItsTimeoutLeftAndIsRefusedOnlyWhenNoneHasIt(
      @ForAll("pilots") List<PilotView> pilots, @ForAll("longRequests") RoutingRequest r) {
    RoutingDecision d = Router.choose(pilots, r, NOW);
    boolean anyInTime =
        pilots.stream()
            .anyMatch(
                p ->
                    p.health() == Health.HEALTHY
                        && p.freeMemoryMb() >= r.memoryMb()
                        && !p.deadline().isBefore(NOW.plus(r.timeout())));
    if (d instanceof RoutingDecision.Routed routed) {
      PilotView chosen =
          pilots.stream().filter(p -> p.id().equals(routed.pilotId())).findFirst().orElseThrow();
      assertThat(chosen.deadline()).isAfterOrEqualTo(NOW.plus(r.timeout()));
    } else {
      assertThat(anyInTime).as(d.reason()).isFalse();
    }
  }
}
