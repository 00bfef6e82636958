package io.hpcwhisk.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.health.Health;
import io.hpcwhisk.core.routing.RoutingDecision.Cause;
import io.hpcwhisk.core.routing.RoutingDecision.Refused;
import io.hpcwhisk.core.routing.RoutingDecision.Routed;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouterTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final String ACTION = "/guest/hello@0.0.1";
  static final RoutingRequest HELLO =
      new RoutingRequest(ACTION, "nodejs:20", 256, Duration.ofSeconds(60));

  static PilotView pilot(String id) {
    return new PilotView(
        id,
        Health.HEALTHY,
        false,
        1024,
        1024,
        Set.of("nodejs:20", "python:3"),
        Set.of(),
        NOW.plusSeconds(3600));
  }

  static PilotView with(PilotView p, Health health) {
    return new PilotView(
        p.id(),
        health,
        p.draining(),
        p.memoryMb(),
        p.freeMemoryMb(),
        p.kinds(),
        p.warmActions(),
        p.deadline());
  }

  static PilotView draining(PilotView p) {
    return new PilotView(
        p.id(),
        p.health(),
        true,
        p.memoryMb(),
        p.freeMemoryMb(),
        p.kinds(),
        p.warmActions(),
        p.deadline());
  }

  static PilotView free(PilotView p, int freeMb) {
    return new PilotView(
        p.id(),
        p.health(),
        p.draining(),
        p.memoryMb(),
        freeMb,
        p.kinds(),
        p.warmActions(),
        p.deadline());
  }

  static PilotView warm(PilotView p) {
    return new PilotView(
        p.id(),
        p.health(),
        p.draining(),
        p.memoryMb(),
        p.freeMemoryMb(),
        p.kinds(),
        Set.of(ACTION),
        p.deadline());
  }

  static PilotView endsIn(PilotView p, int seconds) {
    return new PilotView(
        p.id(),
        p.health(),
        p.draining(),
        p.memoryMb(),
        p.freeMemoryMb(),
        p.kinds(),
        p.warmActions(),
        NOW.plusSeconds(seconds));
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("no pilots", List.of(), Cause.NO_PILOTS),
        Arguments.of(
            "only offline", List.of(with(pilot("a"), Health.OFFLINE)), Cause.NO_HEALTHY_PILOT),
        Arguments.of(
            "only unhealthy or draining",
            List.of(
                with(pilot("a"), Health.UNHEALTHY),
                draining(pilot("b")),
                with(pilot("c"), Health.UNRESPONSIVE)),
            Cause.NO_HEALTHY_PILOT),
        Arguments.of(
            "kind not run",
            List.of(
                new PilotView(
                    "a",
                    Health.HEALTHY,
                    false,
                    1024,
                    1024,
                    Set.of("python:3"),
                    Set.of(),
                    NOW.plusSeconds(600))),
            Cause.KIND_NOT_SUPPORTED),
        Arguments.of(
            "too large for any pilot",
            List.of(
                new PilotView(
                    "a",
                    Health.HEALTHY,
                    false,
                    128,
                    128,
                    Set.of("nodejs:20"),
                    Set.of(),
                    NOW.plusSeconds(600))),
            Cause.TOO_LARGE),
        Arguments.of(
            "all full", List.of(free(pilot("a"), 0), free(pilot("b"), 255)), Cause.NO_CAPACITY));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("refusals")
  void refusesWithAReason(String name, List<PilotView> pilots, Cause cause) {
    RoutingDecision d = Router.choose(pilots, HELLO, NOW);
    assertThat(d).isInstanceOf(Refused.class);
    assertThat(((Refused) d).cause()).isEqualTo(cause);
    assertThat(d.reason()).isNotBlank();
  }

  @Test
  void prefersAWarmPilot() {
    List<PilotView> pilots = List.of(pilot("a"), pilot("b"), warm(pilot("c")), pilot("d"));
    RoutingDecision d = Router.choose(pilots, HELLO, NOW);
    assertThat(d).isEqualTo(new Routed("c", "warm runtime for " + ACTION));
  }

  @Test
  void sameActionSameHomePilotRegardlessOfListOrder() {
    List<PilotView> pilots = List.of(pilot("a"), pilot("b"), pilot("c"), pilot("d"), pilot("e"));
    Routed first = (Routed) Router.choose(pilots, HELLO, NOW);
    Routed shuffled =
        (Routed)
            Router.choose(
                List.of(pilots.get(3), pilots.get(0), pilots.get(4), pilots.get(2), pilots.get(1)),
                HELLO,
                NOW);
    assertThat(shuffled.pilotId()).isEqualTo(first.pilotId());
    assertThat(first.reason()).startsWith("home pilot");
  }

  @Test
  void actionsSpreadOverPilots() {
    List<PilotView> pilots = IntStream.range(0, 8).mapToObj(i -> pilot("p" + i)).toList();
    Set<String> homes = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      RoutingRequest r =
          new RoutingRequest(
              "/guest/action" + i + "@0.0.1", "nodejs:20", 256, Duration.ofSeconds(60));
      homes.add(((Routed) Router.choose(pilots, r, NOW)).pilotId());
    }
    assertThat(homes).hasSize(8);
  }

  @Test
  void aLatePilotIsPassedOverWhileOneWithTimeLeftCanTakeIt() {
    List<PilotView> pilots = List.of(warm(endsIn(pilot("a"), 30)), endsIn(pilot("b"), 600));
    assertThat(((Routed) Router.choose(pilots, HELLO, NOW)).pilotId()).isEqualTo("b");
  }

  @Test
  void aLatePilotIsUsedWhenNoPilotHasTimeLeft() {
    List<PilotView> pilots = List.of(endsIn(pilot("a"), 30), endsIn(pilot("b"), 20));
    Routed d = (Routed) Router.choose(pilots, HELLO, NOW);
    assertThat(d.reason()).contains("no pilot has 60 s left, the best has 30 s");
  }

  @Test
  void aFullPilotWithTimeLeftDoesNotBlockALatePilot() {
    List<PilotView> pilots = List.of(endsIn(pilot("a"), 30), free(endsIn(pilot("b"), 600), 0));
    assertThat(((Routed) Router.choose(pilots, HELLO, NOW)).pilotId()).isEqualTo("a");
  }

  @Test
  void probeOrderVisitsEveryPilotOnce() {
    for (int n = 1; n <= 12; n++) {
      List<PilotView> pilots = IntStream.range(0, n).mapToObj(i -> pilot("p" + i)).toList();
      for (String action : List.of("/a/x@1", "/b/y@2", "/c/z@3")) {
        Set<String> ids =
            Router.probeOrder(pilots, action).stream()
                .map(PilotView::id)
                .collect(Collectors.toSet());
        assertThat(ids).hasSize(n);
      }
    }
  }

  static PilotView onlyFor(PilotView p, String namespace) {
    return new PilotView(
        p.id(),
        p.health(),
        p.draining(),
        p.memoryMb(),
        p.freeMemoryMb(),
        p.kinds(),
        p.warmActions(),
        p.deadline(),
        namespace);
  }

  static RoutingRequest in(String namespace) {
    return new RoutingRequest(ACTION, "nodejs:20", 256, Duration.ofSeconds(60), namespace);
  }

  @Test
  void aSingleTenantPilotGetsOnlyItsNamespacesActivations() {
    List<PilotView> pilots = List.of(onlyFor(pilot("a"), "alice"));

    assertThat(Router.choose(pilots, in("alice"), NOW)).isInstanceOf(Routed.class);
    RoutingDecision bob = Router.choose(pilots, in("bob"), NOW);
    assertThat(bob)
        .isInstanceOfSatisfying(
            Refused.class,
            r -> {
              assertThat(r.cause()).isEqualTo(Cause.NOT_FOR_NAMESPACE);
              assertThat(r.reason()).contains("namespace bob");
            });
    assertThat(Router.choose(pilots, HELLO, NOW))
        .as("a request without a namespace")
        .isInstanceOfSatisfying(
            Refused.class, r -> assertThat(r.cause()).isEqualTo(Cause.NOT_FOR_NAMESPACE));
  }

  @Test
  void otherNamespacesGoToTheSandboxedPilotsEvenWhenTheSingleTenantOneIsWarmOrHome() {
    List<PilotView> pilots =
        List.of(onlyFor(warm(pilot("a")), "alice"), pilot("b"), onlyFor(pilot("c"), "carol"));

    for (String namespace : List.of("bob", "dave", "guest")) {
      assertThat(((Routed) Router.choose(pilots, in(namespace), NOW)).pilotId())
          .as(namespace)
          .isEqualTo("b");
    }
    assertThat(((Routed) Router.choose(pilots, in("alice"), NOW)).pilotId()).isEqualTo("a");
  }
}
