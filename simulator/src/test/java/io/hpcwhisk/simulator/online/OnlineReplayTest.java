package io.hpcwhisk.simulator.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hpcwhisk.simulator.availability.AvailabilityReplay;
import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.availability.TraceFacts;
import io.hpcwhisk.simulator.replay.ReplayMode;
import io.hpcwhisk.simulator.replay.ReplayMode.Placement;
import io.hpcwhisk.simulator.testing.SyntheticIdleLog;
import io.hpcwhisk.simulator.testing.TestTraces;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnlineReplayTest {

  @TempDir Path dir;

  private static ReplayMode.Online online(String policy, double warmup) {
    return new ReplayMode.Online(policy, Map.of(), warmup, 30, Placement.LOWEST_ID);
  }

  @Test
  void fibCoversAGapWithItsLongestPilotUntilTheNodeIsReclaimed() {
    // Node 2 is available for samples 0..29 (300 s at 10 s per sample), then taken back.
    Path log = new SyntheticIdleLog(40).available(2, 0, 30).write(dir.resolve("log.txt"));

    OnlineResult result =
        OnlineReplay.run(log, SampleWindow.all(), online("fib", 20), 1, Progress.NONE);

    OnlineCounters c = result.counters();
    assertThat(result.figures().pilots()).isEqualTo(1);
    assertThat(c.pilotsPreempted()).isEqualTo(1);
    assertThat(c.pilotsTimedOut()).isZero();
    assertThat(c.pilotSecondsReady()).isCloseTo(280, within(1e-9));
    assertThat(c.pilotSecondsWasted()).isCloseTo(20, within(1e-9));
    assertThat(c.batchDelayUpperBoundSeconds()).isCloseTo(30, within(1e-9));
    assertThat(c.maxPendingPilots()).isEqualTo(90);
    assertThat(result.figures().readyShare()).isCloseTo(280 / 300.0, within(1e-9));
    assertThat(result.figures().ceilingReadyShare()).isCloseTo(280 / 300.0, within(1e-9));
    assertThat(result.timeline().warmingAt(1)).isEqualTo(1);
    assertThat(result.timeline().readyAt(2)).isEqualTo(1);
    assertThat(result.figures().noReadySamples()).isEqualTo(2 + 10);
    assertThat(result.extraFigures()).containsEntry("optimisticBound", true);
    assertThat(result.notes().get(0)).contains("Optimistic bound");
  }

  @Test
  void aPilotThatReachesItsLimitIsFollowedByAFreshOneThatWarmsUpAgain() {
    // 2-minute-only ladder; node available 400 s: pilots at 0, 120, 240, 360 s; the last preempted
    // at 400 s.
    Path log = new SyntheticIdleLog(45).available(0, 0, 40).write(dir.resolve("log.txt"));
    ReplayMode.Online mode =
        new ReplayMode.Online(
            "fib", Map.of("ladder", "2m", "pending-per-length", "1"), 20, 30, Placement.LOWEST_ID);

    OnlineResult result = OnlineReplay.run(log, SampleWindow.all(), mode, 1, Progress.NONE);

    OnlineCounters c = result.counters();
    assertThat(result.figures().pilots()).isEqualTo(4);
    assertThat(c.pilotsTimedOut()).isEqualTo(3);
    assertThat(c.pilotsPreempted()).isEqualTo(1);
    assertThat(c.pilotSecondsWasted()).isCloseTo(4 * 20, within(1e-9));
    assertThat(c.pilotSecondsReady()).isCloseTo(400 - 80, within(1e-9));
    assertThat(result.figures().unusedShare()).isCloseTo(0, within(1e-9));
  }

  @ParameterizedTest
  @ValueSource(strings = {"fib", "var", "adaptive"})
  void listingOnlyActiveNodesGivesTheSameDecisionsAsListingEveryNode(String policy) {
    Path log =
        new SyntheticIdleLog(300)
            .available(0, 0, 120)
            .available(0, 150, 300)
            .available(3, 20, 40)
            .available(3, 60, 200)
            .available(7, 5, 6)
            .available(7, 100, 280)
            .available(11, 0, 300)
            .write(dir.resolve("log.txt"));
    ReplayMode.Online mode = online(policy, 20);

    OnlineResult active = replay(log, new OnlineReplay(mode, 1, ControllerView.Scope.ACTIVE_NODES));
    OnlineResult all = replay(log, new OnlineReplay(mode, 1, ControllerView.Scope.ALL_NODES));

    assertThat(active.counters()).isEqualTo(all.counters());
    assertThat(active.timeline().ready()).isEqualTo(all.timeline().ready());
    assertThat(active.timeline().warming()).isEqualTo(all.timeline().warming());
    assertThat(active.counters().pilotsPreempted()).isPositive();
  }

  @Test
  void theSameSeedGivesTheSameReplayWithRandomPlacement() {
    Path log =
        new SyntheticIdleLog(200)
            .available(0, 0, 50)
            .available(1, 10, 200)
            .available(2, 30, 90)
            .available(5, 0, 200)
            .write(dir.resolve("log.txt"));
    ReplayMode.Online mode = new ReplayMode.Online("adaptive", Map.of(), 1, 30, Placement.RANDOM);

    OnlineResult first = OnlineReplay.run(log, SampleWindow.all(), mode, 99, Progress.NONE);
    OnlineResult second = OnlineReplay.run(log, SampleWindow.all(), mode, 99, Progress.NONE);

    assertThat(first.counters()).isEqualTo(second.counters());
    assertThat(first.timeline().ready()).isEqualTo(second.timeline().ready());
  }

  @ParameterizedTest
  @ValueSource(strings = {"fib", "var", "adaptive"})
  void onTheRealLogEveryPolicyKeepsTheBooksBalanced(String policy) {
    Path log = TestTraces.require(TestTraces.FIB_IDLE_NODES);

    OnlineResult result =
        OnlineReplay.run(log, SampleWindow.PAPER, online(policy, 20), 1, Progress.NONE);

    OnlineCounters c = result.counters();
    var f = result.figures();
    assertThat(f.readyShare() + f.warmupShare() + f.unusedShare()).isCloseTo(1, within(1e-9));
    assertThat(f.readyShare()).isLessThanOrEqualTo(f.ceilingReadyShare() + 1e-12);
    assertThat(f.pilots())
        .isEqualTo(
            c.pilotsPreempted()
                + c.pilotsTimedOut()
                + c.pilotsRunningAtEnd()
                + c.runningPilotsCancelled());
    assertThat(c.pilotSeconds())
        .isCloseTo(c.pilotSecondsReady() + c.pilotSecondsWasted(), within(1e-6));
    assertThat(c.pilotSeconds()).isLessThanOrEqualTo(result.facts().availableNodeSeconds() + 1e-6);
    assertThat(c.ignoredIntents()).isZero();
    assertThat(c.decisions()).isEqualTo(8_057);
  }

  @Test
  void onTheRealLogVarCoversEveryRunWithOnePilotAndReachesTheCeiling() {
    // With unbounded windows var starts one 2-hour pilot per run; no run of this log lasts 2 hours.
    Path log = TestTraces.require(TestTraces.FIB_IDLE_NODES);

    OnlineResult result =
        OnlineReplay.run(log, SampleWindow.PAPER, online("var", 20), 1, Progress.NONE);

    assertThat(result.figures().pilots()).isEqualTo(result.facts().runLengths().length);
    assertThat(result.counters().pilotsTimedOut()).isZero();
    assertThat(result.figures().readyShare())
        .isCloseTo(result.figures().ceilingReadyShare(), within(1e-9));
  }

  private static OnlineResult replay(Path log, OnlineReplay replay) {
    TraceFacts facts =
        AvailabilityReplay.run(log, SampleWindow.all(), Progress.NONE, List.of(replay));
    return replay.result(facts);
  }
}
