package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.core.cluster.Window;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.Pilot;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.slurm.cli.CommandRunner;
import io.hpcwhisk.slurm.cli.RecordedCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The live hold, pass by pass against a recorded Slurm CLI: n1 runs a batch job, n2 our pilot, a
 * batch job and pilot 11 are pending. Closed gate: pilot 11 held and the pass's submission dropped.
 * n1 freed: still closed until sdiag reports a backfill cycle after the release; then pilot 11
 * released.
 */
class FreedNodeHoldsTest {

  static final Instant T = Instant.parse("2026-12-07T12:00:00Z");
  static final PilotShape SHAPE =
      new PilotShape(
          "whisk", Optional.empty(), Duration.ofMinutes(10), Optional.empty(), 0, Optional.empty());

  final RecordedCommandRunner runner =
      new RecordedCommandRunner()
          .answer("show config", "SchedulerParameters     = bf_interval=2,bf_resolution=1\n")
          .answer("scontrol hold", "")
          .answer("scontrol release", "");
  final FreedNodeHolds holds =
      new FreedNodeHolds(
          new SlurmCli(Optional.empty(), Duration.ofSeconds(5), runner, SlurmCli.CallObserver.NONE),
          PilotOwner.byName("hpcw-pilot"));

  static ClusterSnapshot snapshot(Instant now, boolean n1Free) {
    Node n1 =
        n1Free
            ? Node.free("n1", NodeState.IDLE, Window.unbounded(now))
            : Node.busy("n1", NodeState.ALLOCATED);
    Job waiting =
        Job.pending(
            new JobId(5), "wide", "batch", List.of(), now.plusSeconds(600), Duration.ofMinutes(5));
    return new ClusterSnapshot(
        now,
        HarvestTarget.partition("whisk"),
        List.of(n1, Node.busy("n2", NodeState.ALLOCATED)),
        List.of(waiting));
  }

  static Fleet fleet() {
    return new Fleet(
        List.of(
            Pilot.running(new JobId(10), SHAPE, "n2", T.minusSeconds(60)),
            Pilot.pending(new JobId(11), SHAPE, T.minusSeconds(30))));
  }

  void sdiagSays(Instant lastCycle) {
    runner.answer(
        "sdiag",
        "Backfilling stats\n\tLast cycle when: Mon Dec 07 12:00:00 2026 ("
            + lastCycle.getEpochSecond()
            + ")\n");
  }

  List<String> scontrolCalls() {
    return runner.calls().stream()
        .filter(c -> c.get(0).equals("scontrol") && !c.get(1).equals("show"))
        .map(c -> String.join(" ", c))
        .toList();
  }

  @Test
  void holdsPendingPilotsUntilTheFreedNodeHasBeenThroughABackfillPass() {
    Intent submit = new Intent.SubmitPilot(SHAPE, "pool");
    sdiagSays(T.minusSeconds(1));
    assertThat(holds.apply(snapshot(T, false), fleet(), List.of(submit), false)).isEmpty();
    assertThat(scontrolCalls()).containsExactly("scontrol hold 11");

    sdiagSays(T); // n1 freed at T+1, after the last cycle
    assertThat(holds.apply(snapshot(T.plusSeconds(1), true), fleet(), List.of(submit), false))
        .isEmpty();
    assertThat(scontrolCalls()).as("already held").containsExactly("scontrol hold 11");

    sdiagSays(T.plusSeconds(2)); // the cycle after the release has run
    assertThat(holds.apply(snapshot(T.plusSeconds(3), true), fleet(), List.of(submit), false))
        .containsExactly(submit);
    assertThat(scontrolCalls()).containsExactly("scontrol hold 11", "scontrol release 11");
  }

  @Test
  void aDryRunHoldsNothingAndAnUnreadableSdiagFallsBackToOneInterval() {
    runner.answer(
        "sdiag", new CommandRunner.Result(1, "", "sdiag: error: slurm_get_statistics: timeout"));
    holds.apply(snapshot(T, false), fleet(), List.of(), true);
    assertThat(scontrolCalls()).isEmpty();
    assertThat(holds.apply(snapshot(T.plusSeconds(1), true), fleet(), List.of(), false)).isEmpty();
    assertThat(scontrolCalls())
        .as("held: n1 freed at T+1, no cycle known")
        .containsExactly("scontrol hold 11");
    assertThat(holds.apply(snapshot(T.plusSeconds(3), true), fleet(), List.of(), false)).isEmpty();
    assertThat(scontrolCalls())
        .as("one bf_interval (2 s) after the release")
        .containsExactly("scontrol hold 11", "scontrol release 11");
  }
}
