package io.hpcwhisk.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.health.Health;
import io.hpcwhisk.core.routing.RoutingDecision.Cause;
import io.hpcwhisk.core.routing.RoutingDecision.Refused;
import io.hpcwhisk.core.routing.RoutingDecision.Routed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Cores ({@code limits.cpu}) and GPUs (annotation {@code gpus}) counted as memory is. */
class RouterDevicesTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  static PilotView pilot(String id, int cores, int freeCores, int gpus, int freeGpus) {
    return new PilotView(
        id,
        Health.HEALTHY,
        false,
        4096,
        4096,
        Set.of("nodejs:20"),
        Set.of(),
        NOW.plusSeconds(3600),
        null,
        cores,
        freeCores,
        gpus,
        freeGpus);
  }

  static RoutingRequest request(int cores, int gpus) {
    return new RoutingRequest(
        "/guest/a@0.0.1", "nodejs:20", 256, Duration.ofSeconds(60), "guest", cores, gpus);
  }

  @Test
  void aTwoCoreActionGoesOnlyToAPilotWithTwoFreeCores() {
    List<PilotView> pilots = List.of(pilot("a", 2, 1, 0, 0), pilot("b", 2, 2, 0, 0));
    for (int i = 0; i < 20; i++) {
      RoutingRequest r =
          new RoutingRequest(
              "/guest/a" + i + "@0.0.1", "nodejs:20", 256, Duration.ofSeconds(60), null, 2, 0);
      assertThat(((Routed) Router.choose(pilots, r, NOW)).pilotId()).isEqualTo("b");
    }
  }

  @Test
  void coresAllTakenIsNoCapacityAndMoreThanAnyPilotHasIsTooLarge() {
    Refused full = (Refused) Router.choose(List.of(pilot("a", 2, 1, 0, 0)), request(2, 0), NOW);
    assertThat(full.cause()).isEqualTo(Cause.NO_CAPACITY);
    assertThat(full.reason()).contains("2 core(s)");
    Refused tooLarge = (Refused) Router.choose(List.of(pilot("a", 2, 2, 0, 0)), request(3, 0), NOW);
    assertThat(tooLarge.cause()).isEqualTo(Cause.TOO_LARGE);
    assertThat(tooLarge.reason()).contains("3 core(s)").contains("offers 2 core(s)");
  }

  @Test
  void aGpuActionWithoutAGpuPilotWaitsAndNamesWhy() {
    Refused refused = (Refused) Router.choose(List.of(pilot("a", 4, 4, 0, 0)), request(0, 1), NOW);
    assertThat(refused.cause()).isEqualTo(Cause.NO_GPU_PILOT);
    assertThat(refused.reason()).contains("no GPU pilot is live");
  }

  @Test
  void aGpuActionGoesOnlyToAPilotWithFreeGpus() {
    List<PilotView> pilots =
        List.of(pilot("a", 4, 4, 0, 0), pilot("b", 4, 4, 2, 0), pilot("c", 4, 4, 2, 1));
    assertThat(((Routed) Router.choose(pilots, request(0, 1), NOW)).pilotId()).isEqualTo("c");
    Refused tooMany = (Refused) Router.choose(pilots, request(0, 3), NOW);
    assertThat(tooMany.cause()).isEqualTo(Cause.TOO_LARGE);
    assertThat(tooMany.reason()).contains("offers 4 core(s) and 2 GPU(s)");
    Refused busy = (Refused) Router.choose(List.of(pilot("b", 4, 4, 2, 0)), request(0, 1), NOW);
    assertThat(busy.cause()).isEqualTo(Cause.NO_CAPACITY);
  }

  @Test
  void anActionAskingForNothingIsRoutedAsBeforeWhateverTheCounts() {
    List<PilotView> pilots = List.of(pilot("a", 1, 0, 1, 0));
    assertThat(Router.choose(pilots, request(0, 0), NOW)).isInstanceOf(Routed.class);
  }
}
