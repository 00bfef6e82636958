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
 * The Slurm commands HPC-Whisk uses, each run with a timeout. Any failure (cannot start, timeout, non-zero exit,
 * unusable output) raises {@link SlurmCommandException} naming the command line, the exit code and the stderr
 * tail. Every call is reported to a {@link CallObserver} (metrics) with its latency and outcome.
 */
public final class SlurmCli {

  /** Told about every call: the command name ({@code squeue}), how long it took, and whether it succeeded. */
  @FunctionalInterface
  public interface CallObserver {
    CallObserver NONE = (command, took, ok) -> {};

    void called(String command, Duration took, boolean ok);
  }

  private final Optional<Path> binDir;
  private final Duration timeout;
  private final CommandRunner runner;
  private final CallObserver observer;

  /**
   * @param binDir directory of the Slurm binaries; empty to find them on the PATH
   * @param timeout the most any one command may take
   * @param runner runs the commands
   * @param observer told about every call
   */
  public SlurmCli(Optional<Path> binDir, Duration timeout, CommandRunner runner, CallObserver observer) {
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
    return run("sinfo", List.of("--json"), "", "failed").stdout();
  }

  /** {@code squeue --json} (22.05 lists finished jobs the controller still remembers as well). */
  public String squeueJson() {
    return run("squeue", List.of("--json"), "", "failed").stdout();
  }

  /**
   * The nodes the backfill planner scheduled each pending job on ({@code SCHEDNODES}), for Slurm versions whose
   * JSON lacks {@code scheduled_nodes}. Jobs without scheduled nodes are left out.
   */
  public Map<JobId, List<String>> pendingScheduledNodes() {
    String out = run("squeue", List.of("--noheader", "--states=PENDING", "--format=%i|%Y"), "", "failed").stdout();
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

  /** {@code scontrol show config}: the controller's settings ({@code SchedulerParameters} and the like). */
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
    run("scontrol", List.of(verb, String.join(",", ids.stream().map(JobId::toString).toList())), "", "failed");
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
      throw SlurmCommandException.failed(command("sbatch", args), result.exitCode(),
          result.stderr() + "\nstdout: " + result.stdout(), "printed no job id");
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
    boolean gone = err.contains("already completing or completed") || err.contains("invalid job id");
    boolean ok = result.exitCode() == 0 || gone;
    observer.called("scancel", Duration.ofNanos(System.nanoTime() - start), ok);
    if (!ok) {
      throw SlurmCommandException.failed(command("scancel", args), result.exitCode(), result.stderr(), "failed");
    }
  }

  /** {@code scancel --user=$USER}: every job of the calling user (benchmarks and test clusters only). */
  public void scancelAll() {
    run("scancel", List.of("--user=" + System.getProperty("user.name")), "", "failed");
  }

  private CommandRunner.Result run(String name, List<String> args, String stdin, String what) {
    List<String> command = command(name, args);
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
