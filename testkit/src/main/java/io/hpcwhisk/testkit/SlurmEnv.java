package io.hpcwhisk.testkit;

import io.hpcwhisk.localcluster.CommandResult;
import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/** A test's handle on the shared local Slurm cluster: where it is and how to talk to it. */
public final class SlurmEnv {

  private static final Pattern JOB_STATE = Pattern.compile("JobState=(\\S+)");
  private final LocalCluster cluster;
  private final List<String> nodes;
  private final int graceSeconds;
  private volatile SlurmTiming timing;

  SlurmEnv(LocalCluster cluster, List<String> nodes, int graceSeconds) {
    this.cluster = cluster;
    this.nodes = List.copyOf(nodes);
    this.graceSeconds = graceSeconds;
  }

  /**
   * The environment of a cluster a test started itself (for a shape the shared {@link SlurmTest}
   * cluster does not have, e.g. {@code --gpus}); nodes n1..nN of {@code spec}.
   */
  public static SlurmEnv of(LocalCluster cluster, LocalClusterSpec spec) {
    return new SlurmEnv(
        cluster,
        IntStream.rangeClosed(1, spec.nodes()).mapToObj(i -> "n" + i).toList(),
        spec.graceSeconds());
  }

  /** The cluster's {@code slurm.conf}. */
  public Path conf() {
    return cluster.conf();
  }

  /** The environment a Slurm client needs ({@code SLURM_CONF}); put it into a ProcessBuilder. */
  public Map<String, String> env() {
    return cluster.clientEnv();
  }

  /** The Slurm series the cluster runs: {@code 22.05} or {@code 24.11}. */
  public String slurmVersion() {
    return cluster.slurm().version();
  }

  /**
   * Where the cluster's Slurm clients are, for {@code SlurmCli}/{@code slurm.bin-dir}; empty: the
   * PATH (22.05).
   */
  public Optional<Path> binDir() {
    return cluster.clientBinDir();
  }

  /**
   * The executable of Slurm client {@code name} (e.g. {@code sbatch}) of this cluster's Slurm
   * version.
   */
  public String client(String name) {
    return binDir().map(d -> d.resolve(name).toString()).orElse(name);
  }

  /** The Java the pilots run on where the jobs run (the 24.11 root's Java 21, else this JVM's). */
  public Path pilotJavaHome() {
    return cluster.slurm().pilotJavaHome();
  }

  /**
   * The state Slurm records for a preempted job that left by itself within the grace time: 22.05
   * records {@code COMPLETED} (with a PreemptTime), 24.11 {@code PREEMPTED} (exit code 0:0). Seen
   * on both real versions.
   */
  public String leftWithinGraceState() {
    return "22.05".equals(slurmVersion()) ? "COMPLETED" : "PREEMPTED";
  }

  /** The URL of the cluster's slurmrestd (Slurm 24.11 clusters run one), while it runs. */
  public Optional<URI> restUrl() {
    return cluster.restUrl();
  }

  /** The file holding a JWT for the calling user (mode 0600; Slurm 24.11 clusters). */
  public Path restTokenFile() {
    return cluster.restTokenFile();
  }

  /** The pid the cluster recorded for a daemon: {@code slurmctld}, {@code slurmrestd}, … */
  public long daemonPid(String name) {
    try {
      return Long.parseLong(Files.readString(dir().resolve("run").resolve(name + ".pid")).strip());
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("no pid recorded for " + name + " in " + dir(), e);
    }
  }

  /** Starts slurmctld again after a test stopped it, recovering its state (jobs are kept). */
  public void restartSlurmctld() {
    cluster.restartSlurmctld();
  }

  /** Starts slurmrestd again after a test stopped it (and mints a fresh token file). */
  public void restartRest() {
    cluster.restartServices();
  }

  /** Node names, {@code n1..nN}. */
  public List<String> nodes() {
    return nodes;
  }

  /** GraceTime of the preemptible {@code whisk} partition. */
  public int graceSeconds() {
    return graceSeconds;
  }

  /**
   * Slurm's configured intervals ({@code scontrol show config}, read once), and the waits derived
   * from them.
   */
  public SlurmTiming timing() {
    if (timing == null) {
      timing = SlurmTiming.parse(run("scontrol", "show", "config").orThrow().stdout());
    }
    return timing;
  }

  /** The directory holding the cluster's configuration, state and logs. */
  public Path dir() {
    return cluster.dir();
  }

  /** Runs a Slurm client command (30 s timeout) against the cluster. */
  public CommandResult run(String... command) {
    return cluster.run(List.of(command));
  }

  /**
   * {@code sbatch --parsable ARGS} with the job's output in {@code log/job-<id>.out} of the cluster
   * directory unless ARGS name another ({@code -o}; the last one given wins); answers the job id,
   * throws when sbatch fails.
   */
  public String sbatch(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of("sbatch", "--parsable", "--output=" + dir().resolve("log/job-%j.out")));
    command.addAll(List.of(args));
    return run(command.toArray(String[]::new)).orThrow().stdout().strip().split(";")[0];
  }

  /**
   * The job's state as {@code scontrol show job} reports it (it keeps finished jobs for MinJobAge),
   * or UNKNOWN.
   */
  public String jobState(String jobId) {
    Matcher m = JOB_STATE.matcher(run("scontrol", "show", "job", jobId).stdout());
    return m.find() ? m.group(1) : "UNKNOWN";
  }

  /**
   * Seconds from a job's submission to its start, as Slurm records them ({@code scontrol show job},
   * whole seconds).
   */
  public long startDelaySeconds(String jobId) {
    String show = run("scontrol", "show", "job", jobId).orThrow().stdout();
    return Duration.between(time(show, "SubmitTime", jobId), time(show, "StartTime", jobId))
        .toSeconds();
  }

  /** When the job started, as Slurm records it ({@code StartTime}, whole seconds, local time). */
  public LocalDateTime startTime(String jobId) {
    return time(run("scontrol", "show", "job", jobId).orThrow().stdout(), "StartTime", jobId);
  }

  /**
   * When Slurm started preempting the job ({@code PreemptTime}), if it did. Slurm 22.05 sets it
   * when the grace time starts and sets it again when it kills the job at the grace time's end: for
   * a job that left by itself ({@link #leftByItselfWhenPreempted}) it is the start of the
   * preemption.
   */
  public Optional<LocalDateTime> preemptTime(String jobId) {
    Matcher m =
        Pattern.compile("PreemptTime=(\\d{4}-\\S+)")
            .matcher(run("scontrol", "show", "job", jobId).stdout());
    return m.find() ? Optional.of(LocalDateTime.parse(m.group(1))) : Optional.empty();
  }

  /**
   * True when Slurm preempted the job and the job then ended by itself, not killed at the grace
   * end: on 22.05 it ends COMPLETED (a killed one PREEMPTED); on 24.11 both end PREEMPTED, so there
   * it must also have ended less than the grace time after its PreemptTime.
   */
  public boolean leftByItselfWhenPreempted(String jobId) {
    if (preemptTime(jobId).isEmpty() || !jobState(jobId).equals(leftWithinGraceState())) {
      return false;
    }
    return "22.05".equals(slurmVersion()) || endedBeforeTheGraceRanOut(jobId);
  }

  /** True when the job's EndTime is less than the grace time after its PreemptTime. */
  private boolean endedBeforeTheGraceRanOut(String jobId) {
    String show = run("scontrol", "show", "job", jobId).orThrow().stdout();
    LocalDateTime preempted = preemptTime(jobId).orElseThrow();
    return Duration.between(preempted, time(show, "EndTime", jobId)).toSeconds() < graceSeconds();
  }

  /**
   * True when Slurm preempted the job and the job ended before the grace time ran out: any end but
   * PREEMPTED, the state Slurm gives a job it kills at the grace end. Looser than {@link
   * #leftByItselfWhenPreempted}: a job preempted within a second of its start may end FAILED
   * (JobLaunchFailure) although its step heard the SIGTERM and left (seen with the placeholder
   * pilot under stress-ng).
   */
  public boolean endedWithinGraceWhenPreempted(String jobId) {
    if (preemptTime(jobId).isEmpty()) {
      return false;
    }
    String state = jobState(jobId);
    if (state.equals(
        "PREEMPTED")) { // 24.11 records a job that left within the grace time as PREEMPTED too
      return !"22.05".equals(slurmVersion()) && endedBeforeTheGraceRanOut(jobId);
    }
    return !state.matches("RUNNING|PENDING|COMPLETING|SUSPENDED|REQUEUED|UNKNOWN");
  }

  /**
   * Seconds from the start of a preemption to the start of the job that preempted: how long the
   * preemptor waited for the preempted job to leave. Meaningful when {@link
   * #leftByItselfWhenPreempted} holds for the preempted job.
   */
  public long handOverSeconds(String preemptedJobId, String preemptorJobId) {
    String show = run("scontrol", "show", "job", preemptorJobId).orThrow().stdout();
    LocalDateTime preempted =
        preemptTime(preemptedJobId)
            .orElseThrow(
                () -> new IllegalStateException("job " + preemptedJobId + " has no PreemptTime"));
    return Duration.between(preempted, time(show, "StartTime", preemptorJobId)).toSeconds();
  }

  /** {@code scontrol -o show job} and {@code show step} of the jobs, for assertion messages. */
  public String describe(String... jobIds) {
    StringBuilder text = new StringBuilder();
    for (String id : jobIds) {
      text.append(run("scontrol", "-o", "show", "job", id).stdout())
          .append(run("scontrol", "-o", "show", "step", id).stdout());
    }
    return text.toString();
  }

  private static LocalDateTime time(String show, String field, String jobId) {
    Matcher m = Pattern.compile(field + "=(\\S+)").matcher(show);
    if (!m.find()) {
      throw new IllegalStateException("no " + field + " for job " + jobId + " in: " + show);
    }
    return LocalDateTime.parse(m.group(1));
  }
}
