package io.hpcwhisk.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preemption hand-over block of the shipped pilot scripts ({@code config/pilot.sbatch} and the
 * placeholder), run by bash against a stand-in {@code squeue} and {@code scancel} that answer what
 * a test sets: the decisions it takes from Slurm's answers. {@code PreemptionHandOverIT} runs the
 * same scripts against the real local cluster.
 */
class PilotScriptsTest {

  private static final DateTimeFormatter SLURM_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  private static final String BEGIN = "# --- Preemption hand-over";
  private static final String END = "# --- end of the preemption hand-over block";

  @TempDir Path fake;
  Path block;

  @BeforeEach
  void standIns() throws IOException {
    block = fake.resolve("block.sh");
    Files.writeString(block, handOverBlock(PilotJobs.sbatchScript()));
    // squeue answers from files by the question asked; every step query reads the next steps.N file
    script(
        "squeue",
        """
        #!/bin/bash
        case "$*" in
          *"-w "*) cat "$FAKE/node" 2>/dev/null ;;
          *"-t PENDING"*) cat "$FAKE/pending" 2>/dev/null ;;
          *"-O PreemptTime"*) cat "$FAKE/own" ;;
          *"-t RUNNING"*) echo "$*" > "$FAKE/running-asked"; cat "$FAKE/running" ;;
          *"-s -j"*) n=$(cat "$FAKE/polls" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE/polls"
                     echo "$*" > "$FAKE/steps-asked"; cat "$FAKE/steps.$n" 2>/dev/null ;;
        esac
        """);
    script("scancel", "#!/bin/bash\necho \"$*\" >> \"$FAKE/scancel.log\"\n");
  }

  @Test
  void theHandOverBlockIsTheSameInThePilotAndThePlaceholder() throws IOException {
    Path placeholder = PilotJobs.sbatchScript().resolveSibling("pilot-sleep-placeholder.sbatch");
    assertThat(handOverBlock(placeholder)).isEqualTo(handOverBlock(PilotJobs.sbatchScript()));
  }

  @Test
  void aNodeAPreemptedJobGaveBackSecondsAgoIsLeftToItsPreemptor() throws Exception {
    write(
        "node",
        job(7, ago(30), null) + job(9, ago(1), ago(3)) + job(12, "2027-01-01T00:00:00", null));
    write("pending", "whisk\nbatch\n");
    Result r = run("given_back_by_preemption", 12);
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("9");
  }

  @Test
  void aNodeIsTakenWhenItsLastJobWasNotPreemptedOrLeftLongAgoOrNoOtherJobWaits() throws Exception {
    write("pending", "whisk\nbatch\n");
    write(
        "node",
        job(9, ago(20), ago(22))
            + job(10, ago(15), null)); // the preemptor ran after the preempted job
    assertThat(run("given_back_by_preemption", 12).exit()).isEqualTo(1);
    write("node", job(9, ago(20), ago(22))); // its preemptor went elsewhere long ago
    assertThat(run("given_back_by_preemption", 12).exit()).isEqualTo(1);
    write("node", ""); // first job on the node, or squeue failed
    assertThat(run("given_back_by_preemption", 12).exit()).isEqualTo(1);
    write("node", job(9, ago(1), ago(3)));
    write("pending", "whisk\n"); // its preemptor was cancelled: nobody waits
    assertThat(run("given_back_by_preemption", 12).exit()).isEqualTo(1);
  }

  @Test
  void aPilotThatWasNotPreemptedLeavesWithoutWaiting() throws Exception {
    write("own", "N/A\n");
    assertThat(run("leave_together", 12).exit()).isZero();
    assertThat(fake.resolve("scancel.log")).doesNotExist();
    assertThat(fake.resolve("polls")).doesNotExist();
  }

  @Test
  void theFirstToSeeTheLastStepGoEndsTheOthersWaitsAtOnce() throws Exception {
    String when = ago(2);
    write("own", when + "\n");
    write("running", pilot(12, when) + pilot(13, when) + pilot(14, "N/A") + pilot(15, when));
    write("steps.0", "13.0\n13.batch\n");
    write("steps.1", "13.batch\n15.batch\n");
    Result r = run("leave_together", 12);
    assertThat(r.exit()).isZero();
    assertThat(Files.readString(fake.resolve("running-asked")))
        .as("our own jobs only")
        .contains("--me ");
    assertThat(Files.readString(fake.resolve("steps-asked"))).contains("-j 13,15 ");
    assertThat(Files.readString(fake.resolve("polls")).strip()).isEqualTo("2");
    assertThat(Files.readString(fake.resolve("scancel.log")).strip())
        .isEqualTo("--quiet --batch --signal=TERM 13 15");
  }

  @Test
  void onlyTheWaitingPilotWithTheLowestJobIdAsksOftenTheOthersEveryFiveSeconds() throws Exception {
    String when = ago(2);
    write("own", when + "\n");
    write("running", pilot(15, when) + pilot(12, when) + pilot(13, when));
    for (int i = 0; i < 100; i++) {
      write("steps." + i, "13.0\n");
    }
    Process bash = start("leave_together", 15);
    await().atMost(Duration.ofSeconds(10)).until(() -> polls() == 1);
    // a lowest id would ask again within 0.5 s; this one keeps to its single call for 1.5 s
    await()
        .during(Duration.ofMillis(1_500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> polls() == 1);
    new ProcessBuilder("kill", "-TERM", Long.toString(bash.pid())).start().waitFor();
    assertThat(bash.waitFor(2, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(fake.resolve("steps-asked"))).contains("-j 12,13 ");
    assertThat(Files.readString(fake.resolve("polls")).strip())
        .as("job 12 is the one that asks often")
        .isEqualTo("1");
  }

  @Test
  void aWaitingPilotLeavesAtOnceWhenAnotherEndsItsWait() throws Exception {
    String when = ago(2);
    write("own", when + "\n");
    write("running", pilot(12, when) + pilot(13, when));
    for (int i = 0; i < 100; i++) {
      write("steps." + i, "13.0\n");
    }
    Process bash = start("leave_together; echo left", 12);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> polls() >= 2); // it asked, found the step, and asks again
    assertThat(bash.isAlive()).as("still waiting for job 13's step").isTrue();
    new ProcessBuilder("kill", "-TERM", Long.toString(bash.pid())).start().waitFor();
    assertThat(bash.waitFor(2, TimeUnit.SECONDS)).as("left within 2 s of SIGTERM").isTrue();
    assertThat(new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("left");
    assertThat(fake.resolve("scancel.log"))
        .as("the one that ended the wait has told the others")
        .doesNotExist();
  }

  /**
   * Another job preempted at the same moment in the harvest partition (a user's preemptible job,
   * named otherwise) is neither waited for nor signalled; pilots named by the controller for
   * another length or node are.
   */
  @Test
  void onlyPilotsAreWaitedForAndSignalledNotOtherJobsPreemptedWithThem() throws Exception {
    String when = ago(2);
    write("own", when + "\n");
    write(
        "running",
        pilot(12, when)
            + running(13, when, "analysis-7")
            + running(14, when, "hpcw-pilot-120m-n2")
            + running(15, when, "hpcw-pilot"));
    write("steps.0", "13.0\n");
    Result r = run("leave_together", 12);
    assertThat(r.exit()).isZero();
    assertThat(Files.readString(fake.resolve("steps-asked"))).contains("-j 14,15 ");
    assertThat(Files.readString(fake.resolve("scancel.log")).strip())
        .isEqualTo("--quiet --batch --signal=TERM 14 15");
  }

  /** How many times the stand-in squeue was asked for the co-preempted pilots' steps. */
  private int polls() throws IOException {
    Path polls = fake.resolve("polls");
    String text = Files.exists(polls) ? Files.readString(polls).strip() : "";
    return text.isEmpty() ? 0 : Integer.parseInt(text);
  }

  private record Result(int exit, String out) {}

  private Result run(String function, int jobId) throws Exception {
    Process bash = start(function, jobId);
    assertThat(bash.waitFor(10, TimeUnit.SECONDS)).as(function + " returned").isTrue();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(bash.exitValue(), out.strip());
  }

  private Process start(String commands, int jobId) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder("bash", "-c", "source \"$1\"; " + commands, "bash", block.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("PATH", fake + ":" + System.getenv("PATH"));
    builder.environment().put("FAKE", fake.toString());
    builder.environment().put("TZ", "UTC");
    builder.environment().put("SLURM_JOB_ID", Integer.toString(jobId));
    builder.environment().put("SLURM_JOB_PARTITION", "whisk");
    builder.environment().put("SLURM_JOB_NAME", "hpcw-pilot-30m-n1");
    builder.environment().put("SLURMD_NODENAME", "n1");
    return builder.start();
  }

  /**
   * A line of squeue's {@code -O JobID:20,PreemptTime:20,Name:200} for a pilot named by the
   * controller.
   */
  private static String pilot(int id, String preempted) {
    return running(id, preempted, "hpcw-pilot-30m");
  }

  /** A line of squeue's {@code -O JobID:20,PreemptTime:20,Name:200}. */
  private static String running(int id, String preempted, String name) {
    return "%-20s%-20s%-200s%n".formatted(id, preempted, name);
  }

  /** A line of squeue's {@code -O JobID,EndTime,PreemptTime}. */
  private static String job(int id, String end, String preempted) {
    return "%-20s%-20s%-20s%n".formatted(id, end, preempted == null ? "N/A" : preempted);
  }

  private static String ago(int seconds) {
    return LocalDateTime.now(ZoneOffset.UTC).minusSeconds(seconds).format(SLURM_TIME);
  }

  private void write(String name, String text) throws IOException {
    Files.writeString(fake.resolve(name), text);
  }

  private void script(String name, String text) throws IOException {
    Path file = fake.resolve(name);
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static String handOverBlock(Path script) throws IOException {
    List<String> lines = Files.readAllLines(script);
    int from = indexOf(lines, BEGIN, script);
    int to = indexOf(lines, END, script);
    return String.join("\n", lines.subList(from, to + 1)) + "\n";
  }

  private static int indexOf(List<String> lines, String prefix, Path script) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError(script + " has no line starting with \"" + prefix + "\"");
  }
}
