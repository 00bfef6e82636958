package io.hpcwhisk.slurm.cli;

import io.hpcwhisk.core.cluster.JobId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Slurm commands HPC-Whisk uses, each run with a timeout. Any failure (cannot start, timeout,
 * non-zero exit, unusable output) raises {@link SlurmCommandException} naming the command line, the
 * exit code and the stderr tail. Every call is reported to a {@link CallObserver} (metrics) with
 * its latency and outcome.
 */
public final class SlurmCli {

  /**
   * Told about every call: the command name ({@code squeue}), how long it took, and whether it
   * succeeded.
   */
  @FunctionalInterface
  public interface CallObserver {
    CallObserver NONE = (command, took, ok) -> {};

    void called(String command, Duration took, boolean ok);
  }

  /**
   * The data_parser versions the adapter reads (Slurm 24.05–25.11 offer some of them; 22.05/23.x
   * none).
   */
  public static final List<String> DATA_PARSERS = List.of("v0.0.40", "v0.0.41", "v0.0.42");

  private final Optional<Path> binDir;

  /**
   * {@code --json} until a first answer names its data_parser, then pinned (see {@link
   * #jsonOption()}).
   */
  private volatile String jsonOption = "--json";

  private final Duration timeout;
  private final CommandRunner runner;
  private final CallObserver observer;

  /**
   * @param binDir directory of the Slurm binaries; empty to find them on the PATH
   * @param timeout the most any one command may take
   * @param runner runs the commands
   * @param observer told about every call
   */
  public SlurmCli(
      Optional<Path> binDir, Duration timeout, CommandRunner runner, CallObserver observer) {
    this.binDir = Objects.requireNonNull(binDir, "binDir");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.runner = Objects.requireNonNull(runner, "runner");
    this.observer = Objects.requireNonNull(observer, "observer");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Slurm command timeout must be positive, got " + timeout);
    }
  }

  /** {@code sinfo --json}. */
  public String sinfoJson() {
    return json("sinfo", List.of());
  }

  /**
   * {@code squeue --json --states=all}: every job slurmctld still remembers, finished ones included
   * (22.05 ignores filters under {@code --json} and always lists them; 24.x honours {@code
   * --states} and without it would leave out the PREEMPTED and COMPLETED pilots the controller
   * tells apart).
   */
  public String squeueJson() {
    return json("squeue", List.of("--states=all"));
  }

  /**
   * {@code sinfo --noheader --Node --responding --partition=P --format=}{@link
   * SlurmLines#SINFO_FORMAT}: one line per node of partition {@code P} that answers slurmctld.
   */
  public String sinfoLines(String partition) {
    return run(
            "sinfo",
            List.of(
                "--noheader",
                "--Node",
                "--responding",
                "--partition=" + partition,
                "--format=" + SlurmLines.SINFO_FORMAT),
            "",
            "failed")
        .stdout();
  }

  /** {@code sinfo --noheader --format=%R|%N}: each partition and its nodes (a host list). */
  public String partitionNodes() {
    return run("sinfo", List.of("--noheader", "--format=%R|%N"), "", "failed").stdout();
  }

  /**
   * {@code SLURM_TIME_FORMAT=%s squeue --noheader --states=STATES --partition=P,Q --Format=}{@link
   * SlurmLines#squeueFormat()}: the jobs of the given partitions (every partition when none is
   * given) in the given states, one line each, times in epoch seconds.
   */
  public String squeueLines(List<String> partitions, String states, String mark) {
    List<String> args = new ArrayList<>();
    args.add("--noheader");
    args.add("--states=" + states);
    if (!partitions.isEmpty()) {
      args.add("--partition=" + String.join(",", partitions));
    }
    args.add("--Format=" + SlurmLines.squeueFormat(mark));
    return run("squeue", args, "", "failed", List.of("SLURM_TIME_FORMAT=%s")).stdout();
  }

  /**
   * The JSON option the next call uses: {@code --json} until an answer names its {@code
   * data_parser}; then, for Slurm that has data_parser v0.0.40 or later, {@code --json=VERSION}
   * pinned to that version, or to the newest one the adapter reads ({@link #DATA_PARSERS}) when
   * Slurm's default is newer (25.05+), so an upgrade of Slurm does not change the shape the adapter
   * gets. 22.05 (OpenAPI v0.0.38, no option argument) and 23.x stay on {@code --json}.
   */
  public String jsonOption() {
    return jsonOption;
  }

  private String json(String name, List<String> args) {
    List<String> all = new ArrayList<>();
    String option = jsonOption;
    all.add(option);
    all.addAll(args);
    String out;
    try {
      out = run(name, all, "", "failed").stdout();
    } catch (SlurmCommandException e) {
      if (!option.equals("--json")) {
        jsonOption =
            "--json"; // Slurm may have been upgraded past the pinned data_parser: learn it again
      }
      throw e;
    }
    if (jsonOption.equals("--json")) {
      SlurmJson.dataParser(out).ifPresent(parser -> jsonOption = pinned(parser));
    }
    return out;
  }

  /** The option for a Slurm whose default data_parser is {@code parser} ({@code v0.0.42}). */
  static String pinned(String parser) {
    int minor = parserMinor(parser);
    int oldest = parserMinor(DATA_PARSERS.get(0));
    int newest = parserMinor(DATA_PARSERS.get(DATA_PARSERS.size() - 1));
    if (minor < oldest) {
      return "--json";
    }
    return "--json=v0.0." + Math.min(minor, newest);
  }

  private static int parserMinor(String parser) {
    try {
      return Integer.parseInt(parser.substring(parser.lastIndexOf('.') + 1));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * The nodes the backfill planner scheduled each pending job on ({@code SCHEDNODES}), for Slurm
   * versions whose JSON lacks {@code scheduled_nodes}. Jobs without scheduled nodes are left out.
   */
  public Map<JobId, List<String>> pendingScheduledNodes() {
    String out =
        run("squeue", List.of("--noheader", "--states=PENDING", "--format=%i|%Y"), "", "failed")
            .stdout();
    Map<JobId, List<String>> result = new HashMap<>();
    for (String line : out.split("\n")) {
      String[] parts = line.strip().split("\\|", 2);
      if (parts.length != 2 || parts[1].isBlank() || parts[1].strip().equalsIgnoreCase("(null)")) {
        continue;
      }
      try {
        result.put(JobId.parse(parts[0]), HostList.expand(parts[1].strip()));
      } catch (IllegalArgumentException e) {
        // array tasks ("12_3") and odd lines: no window information, skip
      }
    }
    return result;
  }

  /**
   * {@code scontrol show config}: the controller's settings ({@code SchedulerParameters} and the
   * like).
   */
  public String showConfig() {
    return run("scontrol", List.of("show", "config"), "", "failed").stdout();
  }

  /** {@code sdiag}: the scheduler's statistics, with the last backfill cycle. */
  public String sdiag() {
    return run("sdiag", List.of(), "", "failed").stdout();
  }

  /** {@code scontrol hold ID,ID,...}: pending jobs stay pending until released. */
  public void hold(List<JobId> ids) {
    holdOrRelease("hold", ids);
  }

  /** {@code scontrol release ID,ID,...}. */
  public void release(List<JobId> ids) {
    holdOrRelease("release", ids);
  }

  private void holdOrRelease(String verb, List<JobId> ids) {
    if (ids.isEmpty()) {
      return;
    }
    run(
        "scontrol",
        List.of(verb, String.join(",", ids.stream().map(JobId::toString).toList())),
        "",
        "failed");
  }

  /** {@code sbatch --parsable OPTIONS} with the script on stdin; returns the new job's id. */
  public JobId sbatch(List<String> options, String script) {
    List<String> args = new ArrayList<>();
    args.add("--parsable");
    args.addAll(options);
    CommandRunner.Result result = run("sbatch", args, script, "failed");
    try {
      return JobId.parse(result.stdout().strip().lines().reduce((a, b) -> b).orElse(""));
    } catch (IllegalArgumentException e) {
      throw SlurmCommandException.failed(
          command("sbatch", args),
          result.exitCode(),
          result.stderr() + "\nstdout: " + result.stdout(),
          "printed no job id");
    }
  }

  /** {@code scancel ID}; a job that already ended is not an error. */
  public void scancel(JobId id) {
    List<String> args = List.of(id.toString());
    long start = System.nanoTime();
    CommandRunner.Result result;
    try {
      result = runner.run(command("scancel", args), "", timeout);
    } catch (SlurmCommandException e) {
      observer.called("scancel", Duration.ofNanos(System.nanoTime() - start), false);
      throw e;
    }
    String err = result.stderr().toLowerCase(Locale.ROOT);
    boolean gone =
        err.contains("already completing or completed") || err.contains("invalid job id");
    boolean ok = result.exitCode() == 0 || gone;
    observer.called("scancel", Duration.ofNanos(System.nanoTime() - start), ok);
    if (!ok) {
      throw SlurmCommandException.failed(
          command("scancel", args), result.exitCode(), result.stderr(), "failed");
    }
  }

  /**
   * {@code scancel --user=$USER}: every job of the calling user (benchmarks and test clusters
   * only).
   */
  public void scancelAll() {
    run("scancel", List.of("--user=" + System.getProperty("user.name")), "", "failed");
  }

  private CommandRunner.Result run(String name, List<String> args, String stdin, String what) {
    return run(name, args, stdin, what, List.of());
  }

  /** Runs the command, through {@code env VAR=VALUE …} when {@code environment} is not empty. */
  private CommandRunner.Result run(
      String name, List<String> args, String stdin, String what, List<String> environment) {
    List<String> command = command(name, args);
    if (!environment.isEmpty()) {
      List<String> withEnv = new ArrayList<>();
      withEnv.add("env");
      withEnv.addAll(environment);
      withEnv.addAll(command);
      command = withEnv;
    }
    long start = System.nanoTime();
    try {
      CommandRunner.Result result = runner.run(command, stdin, timeout);
      if (result.exitCode() != 0) {
        throw SlurmCommandException.failed(command, result.exitCode(), result.stderr(), what);
      }
      observer.called(name, Duration.ofNanos(System.nanoTime() - start), true);
      return result;
    } catch (SlurmCommandException e) {
      observer.called(name, Duration.ofNanos(System.nanoTime() - start), false);
      throw e;
    }
  }

  private List<String> command(String name, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binDir.map(d -> d.resolve(name).toString()).orElse(name));
    command.addAll(args);
    return command;
  }
}
