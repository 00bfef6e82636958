package io.hpcwhisk.core.harvest;

import static io.hpcwhisk.core.harvest.Fixtures.busy;
import static io.hpcwhisk.core.harvest.Fixtures.fleet;
import static io.hpcwhisk.core.harvest.Fixtures.idle;
import static io.hpcwhisk.core.harvest.Fixtures.min;
import static io.hpcwhisk.core.harvest.Fixtures.pending;
import static io.hpcwhisk.core.harvest.Fixtures.running;
import static io.hpcwhisk.core.harvest.Fixtures.shape;
import static io.hpcwhisk.core.harvest.Fixtures.snapshot;
import static io.hpcwhisk.core.harvest.Fixtures.targeted;
import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.JobId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FibPolicyTest {

  @Test
  void anEmptyQueueGetsTenOfEveryLengthLongestWithTheLowestNice() {
    HarvestPolicy fib = HarvestPolicies.create(FibParams.defaults());

    List<Intent> intents = fib.decide(snapshot(idle("n1")), Fleet.empty());

    assertThat(intents).hasSize(90).allMatch(i -> i instanceof Intent.SubmitPilot);
    Map<Duration, List<Integer>> niceByLength =
        intents.stream()
            .map(i -> ((Intent.SubmitPilot) i).shape())
            .collect(
                Collectors.groupingBy(
                    PilotShape::time, Collectors.mapping(PilotShape::nice, Collectors.toList())));
    assertThat(niceByLength.get(min(90))).hasSize(10).containsOnly(0);
    assertThat(niceByLength.get(min(56))).containsOnly(100);
    assertThat(niceByLength.get(min(2))).containsOnly(800);
    assertThat(fib.maxPending()).isEqualTo(90);
  }

  @ParameterizedTest(name = "K={0}, {1} pending of 4m -> {2} submits of 4m, {3} cancels")
  @CsvSource({
    "3, 0, 3, 0",
    "3, 2, 1, 0",
    "3, 3, 0, 0",
    "3, 5, 0, 2",
    "0, 2, 0, 2",
  })
  void keepsKPendingPerLength(int k, int pending, int submits, int cancels) {
    HarvestPolicy fib = HarvestPolicies.create(new FibParams(List.of(min(2), min(4)), k));
    Pilot[] pilots = new Pilot[pending];
    for (int i = 0; i < pending; i++) {
      pilots[i] = pending(100 + i, shape(min(4)));
    }

    List<Intent> intents = fib.decide(snapshot(idle("n1")), fleet(pilots));

    assertThat(
            intents.stream()
                .filter(i -> i instanceof Intent.SubmitPilot s && s.shape().time().equals(min(4))))
        .hasSize(submits);
    assertThat(intents.stream().filter(i -> i instanceof Intent.CancelPilot)).hasSize(cancels);
    intents.stream()
        .filter(i -> i instanceof Intent.CancelPilot)
        .map(i -> ((Intent.CancelPilot) i).jobId().value())
        .forEach(
            id -> assertThat(id).as("the newest are cancelled").isGreaterThanOrEqualTo(100 + k));
  }

  @Test
  void pendingPilotsOffTheLadderAreCancelledWithAReason() {
    HarvestPolicy fib = HarvestPolicies.create(new FibParams(List.of(min(2)), 1));

    List<Intent> intents =
        fib.decide(
            snapshot(idle("n1")),
            fleet(
                pending(5, shape(min(2))),
                pending(6, shape(min(7))),
                pending(7, targeted("n1", min(2), min(2)))));

    assertThat(intents)
        .containsExactly(
            new Intent.CancelPilot(
                new JobId(6),
                Intent.Cause.OFF_SHAPE,
                "fib: pending pilot of 7m is not on the ladder"),
            new Intent.CancelPilot(
                new JobId(7),
                Intent.Cause.OFF_SHAPE,
                "fib: pending pilot of 2m targeted is not on the ladder"));
  }

  @Test
  void runningPilotsAreLeftAlone() {
    HarvestPolicy fib = HarvestPolicies.create(new FibParams(List.of(min(2)), 1));

    List<Intent> intents =
        fib.decide(
            snapshot(busy("n1")),
            fleet(running(5, shape(min(7)), "n1"), pending(6, shape(min(2)))));

    assertThat(intents).isEmpty();
  }
}
