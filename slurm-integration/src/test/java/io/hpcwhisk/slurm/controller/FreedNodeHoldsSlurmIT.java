package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.HarvestTarget;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmCliClusterView;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code harvest.hold-freed-nodes} against the real Slurm: with a batch job pending and no node
 * free, the controller holds its own pending pilot ({@code scontrol hold}: Slurm shows it held) and
 * drops the pass's submissions; once a batch job has freed a node and Slurm's backfill has had a
 * pass over it ({@code sdiag}), it releases the pilot ({@code scontrol release}) and lets
 * submissions through.
 */
@SlurmTest
class FreedNodeHoldsSlurmIT {

  static final PilotShape SHAPE =
      new PilotShape(
          "whisk", Optional.empty(), Duration.ofMinutes(5), Optional.empty(), 0, Optional.empty());

  @Test
  void aPendingPilotIsHeldWhileBatchWaitsAndReleasedAfterTheFreedNodesBackfillPass(SlurmEnv slurm) {
    Duration scheduler = slurm.timing().scheduling();
    SlurmCli cli = SlurmHarvestIT.cli(slurm);
    PilotOwner ours = PilotOwner.of("hpcw-pilot", System.getProperty("user.name"));
    SnapshotBuilder snapshots = new SnapshotBuilder(HarvestTarget.partition("whisk"), ours);
    SlurmCliClusterView view = new SlurmCliClusterView(cli, InstantSource.system());
    FreedNodeHolds holds = new FreedNodeHolds(cli, ours);
    List<Intent> submit = List.of(new Intent.SubmitPilot(SHAPE, "it"));

    // every node busy with batch work; a wider batch job and our pilot wait
    String n1 =
        slurm.sbatch("-p", "batch", "-w", "n1", "--time=10", "-J", "it-n1", "--wrap", "sleep 600");
    String n2 =
        slurm.sbatch("-p", "batch", "-w", "n2", "--time=10", "-J", "it-n2", "--wrap", "sleep 600");
    List<String> others =
        slurm.nodes().stream().filter(n -> !List.of("n1", "n2").contains(n)).toList();
    List<String> busy = new ArrayList<>(List.of(n1, n2));
    for (String n : others) {
      busy.add(
          slurm.sbatch(
              "-p", "batch", "-w", n, "--time=10", "-J", "it-" + n, "--wrap", "sleep 600"));
    }
    // every node busy, not only n2: a node still idle when the controller looks opens the gate
    await()
        .atMost(scheduler.multipliedBy(3))
        .until(
            () ->
                busy.stream()
                    .allMatch(id -> SlurmHarvestIT.job(slurm, id).state() == JobState.RUNNING));
    slurm.sbatch(
        "-p",
        "batch",
        "-N",
        String.valueOf(slurm.nodes().size()),
        "--time=2",
        "-J",
        "it-wide",
        "--wrap",
        "sleep 5");
    String pilot =
        slurm.sbatch("-p", "whisk", "--time=5", "-J", "hpcw-pilot-held", "--wrap", "sleep 300");

    ClusterObservation seen = view.observe();
    List<Intent> kept =
        holds.apply(snapshots.build(seen), Fleet.fromJobs(seen.jobs(), ours), submit, false);
    assertThat(kept).as("a closed gate drops the pass's submissions").isEmpty();
    assertThat(reason(slurm, pilot)).as("held by the controller").contains("Held");

    // a batch job ends on n1: the gate stays closed until Slurm's backfill has passed over n1,
    // then the controller releases its pilot
    slurm.run("scancel", n1).orThrow();
    await()
        .atMost(scheduler.multipliedBy(6))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              ClusterObservation now = view.observe();
              holds.apply(snapshots.build(now), Fleet.fromJobs(now.jobs(), ours), submit, false);
              return !reason(slurm, pilot).contains("Held");
            });
    assertThat(reason(slurm, pilot)).doesNotContain("Held");
  }

  static String reason(SlurmEnv slurm, String id) {
    return slurm.run("squeue", "-h", "-j", id, "-o", "%r").stdout().strip();
  }
}
