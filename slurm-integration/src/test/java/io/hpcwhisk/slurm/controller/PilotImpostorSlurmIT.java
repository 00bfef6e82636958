package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.slurm.cli.SlurmCliClusterView;
import io.hpcwhisk.testkit.LocalAttacker;
import io.hpcwhisk.testkit.Required;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * An ordinary user's jobs named like our pilots ({@code hpcw-pilot-…}) on the real Slurm: the
 * controller counts, holds, releases and cancels only jobs its own account owns. With the name
 * alone (before {@code PilotOwner}) the impostors counted as one running and one pending pilot, so
 * the controller submitted fewer pilots and treated another user's jobs as its own.
 */
@SlurmTest
class PilotImpostorSlurmIT {

  @Test
  void jobsOfAnotherUserNamedLikePilotsAreNeitherCountedNorTouched(SlurmEnv slurm)
      throws Exception {
    Required.on(
        slurm.slurmVersion().equals("22.05"),
        "Slurm 22.05 (sbatch --uid; the 24.11 pass leaves this attack out)");
    LocalAttacker.ensure();
    Duration scheduler = slurm.timing().scheduling();
    // the attacker's jobs: one running on n1, one pending (begins in an hour), both in the harvest
    // partition and named like pilots; submitted as the attacker (root's sbatch --uid), since the
    // attacker cannot reach this test cluster's private munge socket
    String running =
        slurm.sbatch(
            "--uid=" + LocalAttacker.NAME,
            "--chdir=/tmp",
            "-o",
            "/dev/null",
            "-p",
            "whisk",
            "-w",
            "n1",
            "--time=10",
            "-J",
            "hpcw-pilot-evil",
            "--wrap",
            "sleep 600");
    String pending =
        slurm.sbatch(
            "--uid=" + LocalAttacker.NAME,
            "--chdir=/tmp",
            "-o",
            "/dev/null",
            "-p",
            "whisk",
            "--begin=now+1hour",
            "--time=10",
            "-J",
            "hpcw-pilot-evil-2",
            "--wrap",
            "sleep 600");
    // one real pilot of ours on n2
    String ours =
        slurm.sbatch(
            "-p", "whisk", "-w", "n2", "--time=10", "-J", "hpcw-pilot-ours", "--wrap", "sleep 600");
    await()
        .atMost(scheduler.multipliedBy(3))
        .until(
            () ->
                SlurmHarvestIT.job(slurm, running).state() == JobState.RUNNING
                    && SlurmHarvestIT.job(slurm, ours).state() == JobState.RUNNING);
    Job evil = SlurmHarvestIT.job(slurm, running);
    assertThat(evil.user()).as("squeue --json reports the owner").contains(LocalAttacker.NAME);
    assertThat(SlurmHarvestIT.job(slurm, pending).state()).isEqualTo(JobState.PENDING);

    List<String> launched = new CopyOnWriteArrayList<>();
    PilotLauncher launcher =
        new PilotLauncher() {
          @Override
          public JobId submit(PilotShape shape) {
            launched.add("submit " + shape);
            return new JobId(999_000 + launched.size());
          }

          @Override
          public void cancel(JobId id) {
            launched.add("cancel " + id);
          }
        };
    ReconcilePass pass =
        HarvestController.pass(
            SlurmHarvestIT.config(slurm, "fib", Map.of()),
            new SimpleMeterRegistry(),
            new SlurmCliClusterView(SlurmHarvestIT.cli(slurm), InstantSource.system()),
            launcher,
            InstantSource.system());
    PassReport report = pass.run();

    assertThat(report.failure()).isEmpty();
    assertThat(report.runningPilots())
        .as("only our pilot on n2: %s", report.summary())
        .isEqualTo(1);
    assertThat(report.pendingPilots())
        .as("the impostor pending is not ours: %s", report.summary())
        .isZero();
    assertThat(launched)
        .as("the controller cancels none of the attacker's jobs")
        .noneMatch(l -> l.equals("cancel " + running) || l.equals("cancel " + pending));
    assertThat(SlurmHarvestIT.job(slurm, running).state()).isEqualTo(JobState.RUNNING);
    assertThat(slurm.run("squeue", "-h", "-j", pending, "-o", "%r").stdout())
        .as("not held by the controller")
        .doesNotContain("Held");
  }
}
