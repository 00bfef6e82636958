package io.hpcwhisk.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.localcluster.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Proves that the local cluster is a real Slurm with the behaviour HPC-Whisk harvests: backfill windows
 * show up as PLANNED nodes with an expected start, short jobs backfill into them, and a batch job preempts
 * a job of the {@code whisk} partition, which gets SIGTERM and ends PREEMPTED.
 */
@SlurmTest
class RealSlurmClusterIT {

  private static final Duration SCHEDULER = Duration.ofSeconds(30);

  @Test
  void backfillWindowIsPlannedAndShortJobsBackfillIntoIt(SlurmEnv slurm) {
    String running = submit(slurm, "-p", "batch", "-N", "2", "--time=3", "-J", "it-running", "--wrap", "sleep 600");
    await().atMost(SCHEDULER).until(() -> state(slurm, running).equals("RUNNING"));
    String big = submit(slurm, "-p", "batch", "-N", "4", "--time=2", "-J", "it-big", "--wrap", "sleep 60");

    // The two free nodes are held for the 4-node job: Slurm shows them PLANNED, with its expected start.
    await().atMost(SCHEDULER).until(() -> count(slurm.run("sinfo", "-h", "-N", "-p", "batch", "-o", "%N %T").stdout(), "planned") == 2);
    String start = slurm.run("squeue", "--start", "-h", "-j", big, "-o", "%i %S %Y").orThrow().stdout().strip();
    System.out.println("[slurm-it] PLANNED window: " + slurm.run("sinfo", "-h", "-N", "-p", "batch", "-o", "%N=%T").stdout().replace('\n', ' '));
    System.out.println("[slurm-it] pending 4-node job, expected start and planned nodes: " + start);
    assertThat(start).matches(big + " \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d .+");

    // A 1-minute job fits the window and starts at once; a 30-minute one would overrun it and waits.
    String fits = submit(slurm, "-p", "batch", "-N", "1", "--time=1", "-J", "it-fits", "--wrap", "sleep 50");
    String tooLong = submit(slurm, "-p", "batch", "-N", "1", "--time=30", "-J", "it-too-long", "--wrap", "sleep 50");
    await().atMost(SCHEDULER).until(() -> state(slurm, fits).equals("RUNNING"));
    String node = slurm.run("squeue", "-h", "-j", fits, "-o", "%N").orThrow().stdout().strip();
    System.out.println("[slurm-it] backfilled job " + fits + " runs on planned node " + node
        + "; 30-minute job " + tooLong + " is " + state(slurm, tooLong));
    assertThat(node).isIn("n3", "n4");
    assertThat(state(slurm, tooLong)).isEqualTo("PENDING");
    assertThat(state(slurm, big)).isEqualTo("PENDING");
  }

  @Test
  void batchJobPreemptsWhiskJobWhichGetsSigterm(SlurmEnv slurm) throws IOException {
    Path marker = Files.createTempFile(slurm.dir(), "sigterm-", ".txt");
    Files.delete(marker);
    String pilot = submit(slurm, "-p", "whisk", "-N", "1", "-w", "n1", "--time=10", "-J", "it-pilot", "--wrap",
        "trap 'date +%s.%N > " + marker + "; exit 0' TERM; while true; do sleep 0.2; done");
    await().atMost(SCHEDULER).until(() -> state(slurm, pilot).equals("RUNNING"));

    long submitted = System.nanoTime();
    String batch = submit(slurm, "-p", "batch", "-N", "1", "-w", "n1", "--time=1", "-J", "it-batch", "--wrap", "sleep 5");
    await().atMost(SCHEDULER).until(() -> Files.exists(marker));
    double sigtermAfter = (System.nanoTime() - submitted) / 1e9;
    await().atMost(SCHEDULER.plusSeconds(slurm.graceSeconds())).until(() -> state(slurm, batch).equals("RUNNING"));
    double batchStartedAfter = (System.nanoTime() - submitted) / 1e9;
    await().atMost(SCHEDULER).until(() -> state(slurm, pilot).equals("PREEMPTED"));

    System.out.printf("[slurm-it] preemption: whisk job %s got SIGTERM %.1f s after batch job %s was submitted; "
        + "batch job RUNNING after %.1f s; whisk job ended %s (grace %d s)%n",
        pilot, sigtermAfter, batch, batchStartedAfter, state(slurm, pilot), slurm.graceSeconds());
    assertThat(batchStartedAfter).isLessThan(slurm.graceSeconds() + SCHEDULER.toSeconds());
  }

  private static String submit(SlurmEnv slurm, String... args) {
    String[] command = new String[args.length + 3];
    command[0] = "sbatch";
    command[1] = "--parsable";
    command[2] = "--output=" + slurm.dir().resolve("log/job-%j.out");
    System.arraycopy(args, 0, command, 3, args.length);
    String out = slurm.run(command).orThrow().stdout().strip();
    return out.split(";")[0];
  }

  /** The job's state as {@code scontrol show job} reports it (it keeps finished jobs for MinJobAge). */
  private static String state(SlurmEnv slurm, String jobId) {
    CommandResult r = slurm.run("scontrol", "show", "job", jobId);
    Matcher m = Pattern.compile("JobState=(\\S+)").matcher(r.stdout());
    return m.find() ? m.group(1) : "UNKNOWN";
  }

  private static long count(String text, String word) {
    return text.lines().filter(l -> l.strip().endsWith(" " + word)).count();
  }
}
