package io.hpcwhisk.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Proves that the local cluster is a real Slurm with the behaviour HPC-Whisk harvests: backfill
 * windows show up as PLANNED nodes with an expected start, short jobs backfill into them, and a
 * batch job preempts a job of the {@code whisk} partition, whose steps get SIGTERM at once.
 */
@SlurmTest
class RealSlurmClusterIT {

  @Test
  void backfillWindowIsPlannedAndShortJobsBackfillIntoIt(SlurmEnv slurm) {
    Duration scheduler = slurm.timing().scheduling();
    String running =
        slurm.sbatch(
            "-p", "batch", "-N", "2", "--time=3", "-J", "it-running", "--wrap", "sleep 600");
    await().atMost(scheduler).until(() -> slurm.jobState(running).equals("RUNNING"));
    String big =
        slurm.sbatch("-p", "batch", "-N", "4", "--time=2", "-J", "it-big", "--wrap", "sleep 60");

    // The two free nodes are held for the 4-node job: Slurm shows them PLANNED, with its expected
    // start.
    await()
        .atMost(scheduler)
        .until(
            () ->
                count(
                        slurm.run("sinfo", "-h", "-N", "-p", "batch", "-o", "%N %T").stdout(),
                        "planned")
                    == 2);
    String start =
        slurm
            .run("squeue", "--start", "-h", "-j", big, "-o", "%i %S %Y")
            .orThrow()
            .stdout()
            .strip();
    System.out.println(
        "[slurm-it] PLANNED window: "
            + slurm
                .run("sinfo", "-h", "-N", "-p", "batch", "-o", "%N=%T")
                .stdout()
                .replace('\n', ' '));
    System.out.println("[slurm-it] pending 4-node job, expected start and planned nodes: " + start);
    assertThat(start).matches(big + " \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d .+");

    // A 1-minute job fits the window and starts at once; a 30-minute one would overrun it and
    // waits.
    String fits =
        slurm.sbatch("-p", "batch", "-N", "1", "--time=1", "-J", "it-fits", "--wrap", "sleep 50");
    String tooLong =
        slurm.sbatch(
            "-p", "batch", "-N", "1", "--time=30", "-J", "it-too-long", "--wrap", "sleep 50");
    await().atMost(scheduler).until(() -> slurm.jobState(fits).equals("RUNNING"));
    String node = slurm.run("squeue", "-h", "-j", fits, "-o", "%N").orThrow().stdout().strip();
    System.out.println(
        "[slurm-it] backfilled job "
            + fits
            + " runs on planned node "
            + node
            + "; 30-minute job "
            + tooLong
            + " is "
            + slurm.jobState(tooLong));
    assertThat(node).isIn("n3", "n4");
    assertThat(slurm.jobState(tooLong)).isEqualTo("PENDING");
    assertThat(slurm.jobState(big)).isEqualTo("PENDING");
  }

  /**
   * The Slurm behaviour {@code config/pilot.sbatch} is built on: when a job is preempted with a
   * GraceTime, its steps get SIGTERM at once and its batch shell only when the grace time has run
   * out (slurm.conf(5), GraceTime). A whisk job whose work runs as a step ({@code srun}) therefore
   * learns of the preemption at once, leaves, and the batch job starts without waiting for the
   * grace time; a whisk job that is only a batch shell is told nothing until the grace time is
   * over, and the batch job waits all of it.
   */
  @Test
  void preemptionSignalsTheStepsAtOnceAndTheBatchShellOnlyWhenTheGraceTimeRunsOut(SlurmEnv slurm)
      throws IOException {
    SlurmTiming timing = slurm.timing();
    int grace = slurm.graceSeconds();
    Path stepReady = marker(slurm, "step-ready-");
    Path stepMarker = marker(slurm, "step-sigterm-");
    Path shellReady = marker(slurm, "shell-ready-");
    Path shellMarker = marker(slurm, "shell-sigterm-");
    String trapper =
        "trap 'date +%s.%N > MARKER; exit 0' TERM; touch READY; while true; do sleep 0.2; done";
    String withStep =
        slurm.sbatch(
            "-p",
            "whisk",
            "-N",
            "1",
            "-w",
            "n1",
            "--time=10",
            "-J",
            "it-step",
            "--wrap",
            "trap 'date +%s.%N > "
                + shellMarker
                + "' TERM; srun -n1 bash -c \""
                + trapper
                    .replace("MARKER", stepMarker.toString())
                    .replace("READY", stepReady.toString())
                + "\" & wait $!; wait $!");
    // Slurm signals the steps that run when the preemption starts; a step still starting (RUNNING
    // is the job's
    // state, not its step's) misses the SIGTERM and is killed at the grace end. So: wait until its
    // trap is set.
    await().atMost(timing.scheduling()).until(() -> Files.exists(stepReady));
    String batch =
        slurm.sbatch(
            "-p",
            "batch",
            "-N",
            "1",
            "-w",
            "n1",
            "--time=1",
            "-J",
            "it-batch",
            "--wrap",
            "sleep 1");
    // Slurm starts the preemption when a scheduler pass gets to the batch job: the event, not a
    // fixed time
    await()
        .atMost(timing.scheduling().plus(timing.signalDelivery()))
        .until(() -> Files.exists(stepMarker));
    await()
        .atMost(timing.preemptionEnd(grace))
        .until(() -> slurm.jobState(batch).matches("RUNNING|COMPLETING|COMPLETED"));
    // what a failure needs to be read: both jobs and the step as Slurm saw them, when the step left
    String seen =
        "step left at "
            + Files.readString(stepMarker).strip()
            + " (epoch s); shell signalled: "
            + Files.exists(shellMarker)
            + "\n"
            + slurm.describe(withStep, batch);
    assertThat(slurm.leftByItselfWhenPreempted(withStep))
        .as(
            "the step got SIGTERM when the preemption started and the "
                + "job ended by itself within the grace time (PREEMPTED: killed at its end); %s",
            seen)
        .isTrue();
    long handOver = slurm.handOverSeconds(withStep, batch);
    System.out.printf(
        "[slurm-it] preemption of a job step: batch job %s started %d s after the preemption"
            + " started, %d s after submission (grace %d s); whisk job %s ended %s%n",
        batch, handOver, slurm.startDelaySeconds(batch), grace, withStep, slurm.jobState(withStep));
    assertThat(handOver)
        .as("the batch job waits only for the step to leave; %s", seen)
        .isLessThan(grace);
    assertThat(shellMarker)
        .as("the batch shell is not signalled while the grace time runs")
        .doesNotExist();

    String shellOnly =
        slurm.sbatch(
            "-p",
            "whisk",
            "-N",
            "1",
            "-w",
            "n2",
            "--time=10",
            "-J",
            "it-shell",
            "--wrap",
            trapper
                .replace("MARKER", shellMarker.toString())
                .replace("READY", shellReady.toString()));
    await().atMost(timing.scheduling()).until(() -> Files.exists(shellReady));
    String late =
        slurm.sbatch(
            "-p", "batch", "-N", "1", "-w", "n2", "--time=1", "-J", "it-late", "--wrap", "sleep 1");
    await()
        .atMost(timing.scheduling().plus(timing.preemptionEnd(grace)))
        .until(() -> Files.exists(shellMarker));
    await()
        .atMost(timing.scheduling())
        .until(() -> slurm.jobState(late).matches("RUNNING|COMPLETING|COMPLETED"));
    long shellWait = slurm.startDelaySeconds(late);
    System.out.printf(
        "[slurm-it] preemption of a batch shell: batch job %s started %d s after submission "
            + "(grace %d s)%n",
        late, shellWait, grace);
    // from the submission: the preemption starts at or after it, so this holds however long Slurm
    // took to start it
    assertThat(shellWait)
        .as(
            "the shell hears of it when the grace time is over; %s",
            slurm.describe(shellOnly, late))
        .isGreaterThanOrEqualTo(grace);
    // killed at the grace end: PREEMPTED once Slurm has finished ending it (COMPLETING until then)
    await()
        .alias("whisk job " + shellOnly + " ends PREEMPTED")
        .atMost(timing.preemptionEnd(grace))
        .until(() -> slurm.jobState(shellOnly).equals("PREEMPTED"));
  }

  private static Path marker(SlurmEnv slurm, String prefix) throws IOException {
    Path marker = Files.createTempFile(slurm.dir(), prefix, ".txt");
    Files.delete(marker);
    return marker;
  }

  private static long count(String text, String word) {
    return text.lines().filter(l -> l.strip().endsWith(" " + word)).count();
  }
}
