package io.hpcwhisk.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.health.Health;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants of {@link Router#choose} over random pilot sets and requests. */
class RouterProperties {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Provide
  Arbitrary<List<PilotView>> pilots() {
    Arbitrary<PilotView> pilot =
        Combinators.combine(
                Arbitraries.integers().between(0, 30),
                Arbitraries.of(Health.class),
                Arbitraries.of(true, false, false, false),
                Arbitraries.of(128, 512, 2048),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.subsetOf("nodejs:20", "python:3", "java"),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(-10, 3600))
            .as(
                (id, health, draining, mem, freeShare, kinds, warm, left) ->
                    new PilotView(
                        "p" + id,
                        health,
                        draining,
                        mem,
                        (int) Math.floor(mem * freeShare),
                        kinds,
                        warm ? Set.of("/ns/act@1") : Set.of(),
                        NOW.plusSeconds(left)));
    return pilot.list().ofMaxSize(12).uniqueElements(PilotView::id);
  }

  @Provide
  Arbitrary<RoutingRequest> requests() {
    return Combinators.combine(
            Arbitraries.of("/ns/act@1", "/ns/other@3", "/x/y@2"),
            Arbitraries.of("nodejs:20", "python:3", "java", "blackbox"),
            Arbitraries.of(128, 256, 512, 1024),
            Arbitraries.integers().between(1, 300))
        .as(
            (action, kind, mem, timeout) ->
                new RoutingRequest(action, kind, mem, Duration.ofSeconds(timeout)));
  }

  private static PilotView find(List<PilotView> pilots, RoutingDecision d) {
    String id = ((RoutingDecision.Routed) d).pilotId();
    return pilots.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
  }

  @Property
  void neverExceedsCapacity(
      @ForAll("pilots") List<PilotView> pilots, @ForAll("requests") RoutingRequest r) {
    RoutingDecision d = Router.choose(pilots, r, NOW);
    if (d instanceof RoutingDecision.Routed) {
      assertThat(find(pilots, d).freeMemoryMb()).isGreaterThanOrEqualTo(r.memoryMb());
    }
  }

  @Property
  void neverPicksADrainingOrUnhealthyPilotOrAWrongKind(
      @ForAll("pilots") List<PilotView> pilots, @ForAll("requests") RoutingRequest r) {
    RoutingDecision d = Router.choose(pilots, r, NOW);
    if (d instanceof RoutingDecision.Routed) {
      PilotView p = find(pilots, d);
      assertThat(p.health()).isEqualTo(Health.HEALTHY);
      assertThat(p.draining()).isFalse();
      assertThat(p.kinds()).contains(r.kind());
    }
  }

  @Property
  void deadlineRuleHolds(
      @ForAll("pilots") List<PilotView> pilots, @ForAll("requests") RoutingRequest r) {
    RoutingDecision d = Router.choose(pilots, r, NOW);
    if (d instanceof RoutingDecision.Routed) {
      PilotView chosen = find(pilots, d);
      boolean chosenInTime = !chosen.deadline().isBefore(NOW.plus(r.timeout()));
      boolean someoneInTimeCouldTakeIt =
          pilots.stream()
              .anyMatch(
                  p ->
                      p.health() == Health.HEALTHY
                          && !p.draining()
                          && p.kinds().contains(r.kind())
                          && p.freeMemoryMb() >= r.memoryMb()
                          && !p.deadline().isBefore(NOW.plus(r.timeout())));
      if (someoneInTimeCouldTakeIt) {
        assertThat(chosenInTime).as(d.reason()).isTrue();
      }
    }
  }

  @Property
  void refusesOnlyWhenNoPilotCouldTakeIt(
      @ForAll("pilots") List<PilotView> pilots, @ForAll("requests") RoutingRequest r) {
    RoutingDecision d = Router.choose(pilots, r, NOW);
    boolean anyCould =
        pilots.stream()
            .anyMatch(
                p ->
                    p.health() == Health.HEALTHY
                        && !p.draining()
                        && p.kinds().contains(r.kind())
                        && p.freeMemoryMb() >= r.memoryMb());
    assertThat(d instanceof RoutingDecision.Routed).as(d.reason()).isEqualTo(anyCould);
    assertThat(d.reason()).isNotBlank();
  }

  @Property
  void isDeterministicAndIgnoresListOrder(
      @ForAll("pilots") List<PilotView> pilots, @ForAll("requests") RoutingRequest r) {
    List<PilotView> reversed = new ArrayList<>(pilots);
    Collections.reverse(reversed);
    assertThat(Router.choose(reversed, r, NOW)).isEqualTo(Router.choose(pilots, r, NOW));
  }
}
