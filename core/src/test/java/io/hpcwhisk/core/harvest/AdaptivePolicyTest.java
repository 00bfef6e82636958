package io.hpcwhisk.core.harvest;

import static io.hpcwhisk.core.harvest.Fixtures.NOW;
import static io.hpcwhisk.core.harvest.Fixtures.busy;
import static io.hpcwhisk.core.harvest.Fixtures.fleet;
import static io.hpcwhisk.core.harvest.Fixtures.idle;
import static io.hpcwhisk.core.harvest.Fixtures.min;
import static io.hpcwhisk.core.harvest.Fixtures.pending;
import static io.hpcwhisk.core.harvest.Fixtures.planned;
import static io.hpcwhisk.core.harvest.Fixtures.running;
import static io.hpcwhisk.core.harvest.Fixtures.shape;
import static io.hpcwhisk.core.harvest.Fixtures.snapshot;
import static io.hpcwhisk.core.harvest.Fixtures.targeted;
import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdaptivePolicyTest {

  static AdaptiveParams params(int pool, int maxPending) {
    return new AdaptiveParams(
        min(2),
        min(120),
        Duration.ofSeconds(30),
        pool,
        0,
        maxPending,
        0.9,
        16,
        100,
        Duration.ofSeconds(20),
        Duration.ofSeconds(30));
  }

  static List<PilotShape> submitted(List<Intent> intents) {
    return intents.stream()
        .filter(i -> i instanceof Intent.SubmitPilot)
        .map(i -> ((Intent.SubmitPilot) i).shape())
        .toList();
  }

  static List<Long> cancelled(List<Intent> intents) {
    return intents.stream()
        .filter(i -> i instanceof Intent.CancelPilot)
        .map(i -> ((Intent.CancelPilot) i).jobId().value())
        .toList();
  }

  @ParameterizedTest(name = "window {0}s -> targeted pilot of {1} min, time-min {2} min")
  @CsvSource({
    "340, 5, 5", // 5m40s - 30s margin = 5m10s -> 5m; time-min = time (Slurm would start it at a
    // lower one)
    "370, 5, 5", // 6m10s - 30s = 5m40s -> 5m
    "150, 2, 2", // 2m30s - 30s = 2m
    "149, 0, 0", // 1m59s after the margin: too short for min-pilot 2m, no pilot
    "60, 0, 0",
    "90000, 120, 120", // 25 h window: capped at max-pilot, plenty of slack
  })
  void targetedPilotsFitTheirWindow(
      long windowSeconds, long expectedMinutes, long expectedTimeMin) {
    HarvestPolicy adaptive = HarvestPolicies.create(params(0, 16));

    List<PilotShape> shapes =
        submitted(
            adaptive.decide(
                snapshot(planned("n3", Duration.ofSeconds(windowSeconds))), Fleet.empty()));

    if (expectedMinutes == 0) {
      assertThat(shapes).isEmpty();
    } else {
      assertThat(shapes)
          .containsExactly(
              new PilotShape(
                  "whisk",
                  Optional.empty(),
                  min(expectedMinutes),
                  Optional.of(min(expectedTimeMin)),
                  0,
                  Optional.of("n3")));
    }
  }

  @Test
  void theLadderKeepsShortPilotsPendingLongestFirstAndIsTrimmedFirst() {
    var ladder =
        new AdaptiveParams(
            min(1),
            min(120),
            Duration.ofSeconds(5),
            0,
            0,
            256,
            0.9,
            16,
            100,
            Duration.ofSeconds(20),
            Duration.ofSeconds(30),
            min(3),
            2);
    List<Intent> intents =
        HarvestPolicies.create(ladder).decide(snapshot(busy("n1")), Fleet.empty());

    assertThat(submitted(intents))
        .containsExactly(
            ladderPilot(3, 101),
            ladderPilot(3, 101),
            ladderPilot(2, 102),
            ladderPilot(2, 102),
            ladderPilot(1, 103),
            ladderPilot(1, 103));
    assertThat(intents.get(0).reason()).contains("ladder 1m, 2m, 3m × 2");

    // One 3m ladder pilot started, one too many 1m pending: replace the first, cancel the extra.
    Fleet fleet =
        new Fleet(
            List.of(
                Pilot.pending(new JobId(1), ladderPilot(3, 101), NOW),
                Pilot.pending(new JobId(2), ladderPilot(2, 102), NOW),
                Pilot.pending(new JobId(3), ladderPilot(2, 102), NOW),
                Pilot.pending(new JobId(4), ladderPilot(1, 103), NOW),
                Pilot.pending(new JobId(5), ladderPilot(1, 103), NOW),
                Pilot.pending(new JobId(6), ladderPilot(1, 103), NOW)));
    List<Intent> next = HarvestPolicies.create(ladder).decide(snapshot(busy("n1")), fleet);
    assertThat(cancelled(next)).containsExactly(6L);
    assertThat(submitted(next)).containsExactly(ladderPilot(3, 101));
    assertThat(
            next.stream()
                .filter(Intent.CancelPilot.class::isInstance)
                .map(i -> ((Intent.CancelPilot) i).cause()))
        .as("a surplus ladder pilot (metrics once read 'other' from the reason text)")
        .containsExactly(Intent.Cause.SURPLUS);

    // A bound of 4 pending: the shortest lengths are not submitted.
    var bounded =
        new AdaptiveParams(
            min(1),
            min(120),
            Duration.ofSeconds(5),
            0,
            0,
            4,
            0.9,
            16,
            100,
            Duration.ofSeconds(20),
            Duration.ofSeconds(30),
            min(3),
            2);
    assertThat(
            submitted(HarvestPolicies.create(bounded).decide(snapshot(busy("n1")), Fleet.empty())))
        .containsExactly(
            ladderPilot(3, 101), ladderPilot(3, 101), ladderPilot(2, 102), ladderPilot(2, 102));
  }

  static PilotShape ladderPilot(long minutes, int nice) {
    return new PilotShape(
        "whisk", Optional.empty(), min(minutes), Optional.empty(), nice, Optional.empty());
  }

  @Test
  void theWorkedExampleOfTheClassComment() {
    HarvestPolicy adaptive = HarvestPolicies.create(params(2, 16));

    List<Intent> intents =
        adaptive.decide(
            snapshot(
                idle("n1"),
                busy("n2"),
                planned("n3", Duration.ofSeconds(340)),
                planned("n4", Duration.ofSeconds(340))),
            Fleet.empty());

    assertThat(submitted(intents))
        .containsExactly(
            targeted("n3", min(5), min(5)),
            targeted("n4", min(5), min(5)),
            pool(min(120)),
            pool(min(120)),
            pool(min(120)));
    assertThat(intents.get(0).reason())
        .isEqualTo("adaptive: n3 is PLANNED with a 5m40s window; targeted pilot of 5m");
    assertThat(intents.get(2).reason())
        .isEqualTo(
            "adaptive: pool of 3 = 2 spare + 1 unbounded idle node(s) (had 0); length 2h = expected"
                + " ready share 0.997 (warm-up 20s, preemption 30s; 0 ended and 3 open or censored"
                + " gaps)");
    assertThat(submitted(intents).get(2).timeMin())
        .as("pool pilots fit whole or not at all")
        .isEmpty();
  }

  static PilotShape pool(Duration time) {
    return new PilotShape("whisk", Optional.empty(), time, Optional.empty(), 100, Optional.empty());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "node allocated now       | ALLOCATED | 0   | target node n3 of pilot 7 is ALLOCATED",
        "window shrank below min  | PLANNED   | 100 | window on n3 shrank to 1m40s, below the"
            + " pilot's minimum 2m",
        "node drained             | DRAIN     | 0   | target node n3 of pilot 7 is DRAIN",
      })
  void staleTargetedPilotsAreCancelled(
      String label, NodeState state, long windowSeconds, String reason) {
    HarvestPolicy adaptive = HarvestPolicies.create(params(0, 16));
    var node =
        state.harvestable() ? planned("n3", Duration.ofSeconds(windowSeconds)) : busy("n3", state);

    List<Intent> intents =
        adaptive.decide(snapshot(node), fleet(pending(7, targeted("n3", min(4), min(2)))));

    assertThat(intents)
        .contains(
            new Intent.CancelPilot(new JobId(7), Intent.Cause.WINDOW_GONE, "adaptive: " + reason));
  }

  @Test
  void aTargetedPilotStillFittingItsWindowIsKeptAndNotDuplicated() {
    HarvestPolicy adaptive = HarvestPolicies.create(params(0, 16));

    List<Intent> intents =
        adaptive.decide(
            snapshot(planned("n3", min(4))),
            fleet(
                pending(7, targeted("n3", min(5), min(2))),
                pending(8, targeted("n3", min(3), min(2)))));

    assertThat(cancelled(intents)).containsExactly(8L);
    assertThat(submitted(intents)).isEmpty();
  }

  @Test
  void nodesHoldingARunningPilotGetNoOther() {
    HarvestPolicy adaptive = HarvestPolicies.create(params(0, 16));

    List<Intent> intents =
        adaptive.decide(
            snapshot(planned("n3", min(10))),
            fleet(running(5, shape(min(3)), "n3"), pending(6, targeted("n3", min(9), min(2)))));

    assertThat(cancelled(intents)).containsExactly(6L);
    assertThat(submitted(intents)).isEmpty();
  }

  @Test
  void thePoolShrinksWhenIdleNodesAreGone() {
    HarvestPolicy adaptive = HarvestPolicies.create(params(1, 16));

    List<Intent> intents =
        adaptive.decide(
            snapshot(busy("n1")),
            fleet(
                pending(1, pool(min(120))),
                pending(2, pool(min(120))),
                pending(3, pool(min(120)))));

    assertThat(cancelled(intents)).containsExactly(3L, 2L);
  }

  @Test
  void sparePoolPilotsCoverTheLargestBurstOfFreedNodes() {
    var params =
        new AdaptiveParams(
            min(2),
            min(120),
            Duration.ofSeconds(30),
            1,
            0.5,
            16,
            0.9,
            16,
            100,
            Duration.ofSeconds(20),
            Duration.ofSeconds(30));
    HarvestPolicy adaptive = HarvestPolicies.create(params);
    var t1 = NOW.plusSeconds(5);
    var t2 = NOW.plusSeconds(10);
    adaptive.decide(
        snapshot(busy("n1"), busy("n2"), busy("n3"), busy("n4"), busy("n5"), busy("n6")),
        Fleet.empty());
    // A batch job ends and hands over six nodes at once; then four of them are taken again.
    adaptive.decide(
        snapshot(
            t1,
            idle("n1", t1),
            idle("n2", t1),
            idle("n3", t1),
            idle("n4", t1),
            idle("n5", t1),
            idle("n6", t1)),
        Fleet.empty());
    List<Intent> intents =
        adaptive.decide(
            snapshot(
                t2, idle("n1", t2), idle("n2", t2), busy("n3"), busy("n4"), busy("n5"), busy("n6")),
            Fleet.empty());

    assertThat(submitted(intents)).as("1 + ceil(0.5 x 6) spare + 2 idle").hasSize(6);
    assertThat(intents.get(0).reason())
        .startsWith("adaptive: pool of 6 = 4 spare + 2 unbounded idle node(s)");
  }

  @Test
  void pendingNeverExceedsTheBoundEvenWithManyWindows() {
    HarvestPolicy adaptive = HarvestPolicies.create(params(2, 3));

    List<Intent> intents =
        adaptive.decide(
            snapshot(
                planned("n1", min(10)),
                planned("n2", min(20)),
                planned("n3", min(5)),
                planned("n4", min(30)),
                idle("n5")),
            fleet(pending(9, pool(min(120)))));

    assertThat(submitted(intents))
        .extracting(s -> s.targetNode().orElse("pool"))
        .as("the longest windows first, pool last")
        .containsExactly("n4", "n2");
  }

  @Test
  void poolPilotsLearnTheirLengthFromObservedGaps() {
    HarvestPolicy adaptive = HarvestPolicies.create(params(1, 16));
    adaptive.decide(snapshot(NOW, busy("n1")), Fleet.empty());
    // n1 idle for 7 minutes then taken by a batch job, three times over.
    for (int round = 0; round < 3; round++) {
      var start = NOW.plus(Duration.ofMinutes(1 + 20L * round));
      adaptive.decide(snapshot(start, idle("n1", start)), Fleet.empty());
      adaptive.decide(snapshot(start.plus(min(7)), busy("n1")), Fleet.empty());
    }

    ClusterSnapshot later = snapshot(NOW.plus(min(100)), busy("n1"));
    List<Intent> intents = adaptive.decide(later, Fleet.empty());

    assertThat(submitted(intents))
        .as("a 7m pilot ends as the batch job comes: no warm-up lost, no preemption")
        .containsExactly(pool(min(7)));
    assertThat(intents.get(0).reason())
        .endsWith(
            "length 7m = expected ready share 0.952 (warm-up 20s, preemption 30s; 3 ended and 0"
                + " open or censored gaps)");
  }

  @Test
  void gapsCutShortByTheStartOfObservationDoNotShortenThePool() {
    HarvestPolicy adaptive = HarvestPolicies.create(params(1, 16));
    // 20 nodes idle at the first snapshot, all taken 15 s later: we never saw these gaps start
    // (history 16).
    List<Node> idle = new ArrayList<>();
    List<Node> busy = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      idle.add(idle("n" + i, NOW));
      busy.add(busy("n" + i));
    }
    adaptive.decide(snapshot(NOW, idle.toArray(Node[]::new)), Fleet.empty());
    List<Intent> intents =
        adaptive.decide(snapshot(NOW.plusSeconds(15), busy.toArray(Node[]::new)), Fleet.empty());

    assertThat(submitted(intents)).containsExactly(pool(min(120)));
    assertThat(intents.get(0).reason()).contains("0 ended and 16 open or censored gaps");
  }
}
