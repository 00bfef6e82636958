package io.hpcwhisk.core.harvest;

import static io.hpcwhisk.core.harvest.Fixtures.fleet;
import static io.hpcwhisk.core.harvest.Fixtures.idle;
import static io.hpcwhisk.core.harvest.Fixtures.min;
import static io.hpcwhisk.core.harvest.Fixtures.pending;
import static io.hpcwhisk.core.harvest.Fixtures.shape;
import static io.hpcwhisk.core.harvest.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VarPolicyTest {

  @Test
  void defaultsKeepAHundredTwoHourPilotsThatMayShrinkToTwoMinutes() {
    HarvestPolicy var = HarvestPolicies.create(VarParams.defaults());

    List<Intent> intents = var.decide(snapshot(idle("n1")), Fleet.empty());

    assertThat(intents).hasSize(100);
    assertThat(((Intent.SubmitPilot) intents.get(0)).shape())
        .isEqualTo(
            new PilotShape(
                "whisk",
                Optional.empty(),
                Duration.ofHours(2),
                Optional.of(min(2)),
                0,
                Optional.empty()));
    assertThat(intents.get(0).reason()).isEqualTo("var: keep 100 pending (had 0)");
  }

  @ParameterizedTest(name = "K={0}, {1} pending -> {2} submits, {3} cancels")
  @CsvSource({"5, 0, 5, 0", "5, 4, 1, 0", "5, 5, 0, 0", "5, 7, 0, 2"})
  void keepsKPending(int k, int pending, int submits, int cancels) {
    HarvestPolicy var = HarvestPolicies.create(new VarParams(k, min(60), min(2)));
    Pilot[] pilots = new Pilot[pending];
    for (int i = 0; i < pending; i++) {
      pilots[i] =
          pending(
              10 + i,
              new PilotShape(
                  "whisk",
                  Optional.of("normal"),
                  min(60),
                  Optional.of(min(2)),
                  0,
                  Optional.empty()));
    }

    List<Intent> intents = var.decide(snapshot(idle("n1")), fleet(pilots));

    assertThat(intents.stream().filter(i -> i instanceof Intent.SubmitPilot)).hasSize(submits);
    assertThat(intents.stream().filter(i -> i instanceof Intent.CancelPilot)).hasSize(cancels);
  }

  @Test
  void otherShapesAreCancelled() {
    HarvestPolicy var = HarvestPolicies.create(new VarParams(0, min(60), min(2)));

    List<Intent> intents = var.decide(snapshot(idle("n1")), fleet(pending(3, shape(min(4)))));

    assertThat(intents)
        .singleElement()
        .isInstanceOf(Intent.CancelPilot.class)
        .extracting(Intent::reason)
        .asString()
        .contains("not the var shape 1h");
  }
}
