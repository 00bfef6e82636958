package io.hpcwhisk.bench.pilot;

import io.hpcwhisk.testkit.FakeBalancer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a batch job waits when it has to preempt a pilot, on a running Slurm cluster with a
 * preemptible pilot partition. In each round a batch job pinned to one node is submitted three
 * times: while the node is idle (the baseline: Slurm's own scheduling latency), while an idle real
 * pilot of {@code config/pilot.sbatch} holds the node (the pilot runs as a job step), and while an
 * idle real pilot started in the batch shell itself holds it (how a pilot script is often written:
 * Slurm signals a batch shell only when the grace time is over). The wait is from just before
 * {@code sbatch} to the batch job's first instruction, which prints the time in milliseconds. Then
 * a batch job needing several nodes is submitted while they are idle, and while an idle pilot holds
 * each of them: it preempts them all at once and starts when the last has left (the pilot jobs
 * leave together, see {@code config/pilot.sbatch}), and the spread of those pilot jobs' ends is
 * read from slurmctld's log (to the millisecond, when this process can read the log). Pilots
 * register with a balancer double in this process.
 */
final class PreemptionHandover {

  /** What to run: the cluster, the pilot script, and how many rounds. */
  record Options(
      Optional<Path> slurmConf,
      Path sbatchScript,
      Path hpcWhiskHome,
      Path workDir,
      String pilotPartition,
      String batchPartition,
      int rounds,
      int together) {}

  private final Options options;
  private final PrintStream out;
  private final SlurmCommands slurm;

  /** Per group round: first to last end of the pilot jobs preempted together, in ms. */
  private final List<Double> endSpread = new ArrayList<>();

  /** Why {@link #endSpread} could not be measured, when it could not. */
  private String endSpreadProblem;

  private static final Pattern JOB_DONE =
      Pattern.compile("^\\[(\\S+)] _job_complete: JobId=(\\d+) done");

  PreemptionHandover(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.slurm = new SlurmCommands(options.slurmConf());
  }

  void run() throws Exception {
    List<String> nodes =
        slurm
            .run("sinfo", "-h", "-N", "-p", options.pilotPartition(), "-o", "%N")
            .lines()
            .map(String::strip)
            .filter(n -> !n.isEmpty())
            .distinct()
            .toList();
    if (nodes.isEmpty()) {
      throw new IllegalStateException("partition " + options.pilotPartition() + " has no nodes");
    }
    String node = nodes.get(0);
    List<String> group = nodes.subList(0, Math.min(options.together(), nodes.size()));
    Matcher grace =
        Pattern.compile("GraceTime=(\\d+)")
            .matcher(slurm.run("scontrol", "show", "partition", options.pilotPartition()));
    String graceSeconds = grace.find() ? grace.group(1) : "?";
    Path shellPilot = batchShellPilotScript();
    List<Double> idle = new ArrayList<>();
    List<Double> step = new ArrayList<>();
    List<Double> shell = new ArrayList<>();
    List<Double> groupIdle = new ArrayList<>();
    List<Double> groupPilots = new ArrayList<>();
    String token = "bench-handover-" + System.nanoTime();
    try (FakeBalancer balancer = FakeBalancer.start(token)) {
      for (int i = 0; i < options.rounds(); i++) {
        idle.add(batchJobWait(List.of(node)));
        pilotsThenBatchJob(balancer, token, options.sbatchScript(), List.of(node), graceSeconds)
            .ifPresent(step::add);
        pilotsThenBatchJob(balancer, token, shellPilot, List.of(node), graceSeconds)
            .ifPresent(shell::add);
        if (group.size() > 1) {
          groupIdle.add(batchJobWait(group));
          pilotsThenBatchJob(balancer, token, options.sbatchScript(), group, graceSeconds)
              .ifPresent(groupPilots::add);
        }
      }
    }
    Stats base = Stats.of(idle);
    out.printf(
        "preemption hand-over on %s (partition %s, GraceTime %s s), idle pilot, batch job sbatch ->"
            + " first instruction:%n",
        node, options.pilotPartition(), graceSeconds);
    out.println("  node idle (baseline):                " + base.format());
    out.println(
        "  pilot as a job step (pilot.sbatch):  "
            + Stats.of(step).format()
            + ratio(Stats.of(step), base));
    out.println(
        "  pilot in the batch shell:            "
            + Stats.of(shell).format()
            + ratio(Stats.of(shell), base));
    if (group.size() > 1) {
      Stats groupBase = Stats.of(groupIdle);
      out.printf(
          "a batch job on %d nodes (%s), each held by an idle pilot as a job step:%n",
          group.size(), String.join(",", group));
      out.println("  nodes idle (baseline):               " + groupBase.format());
      out.println(
          "  pilots preempted together:           "
              + Stats.of(groupPilots).format()
              + ratio(Stats.of(groupPilots), groupBase));
      out.println(
          "  their jobs' ends, first to last:     "
              + (endSpread.isEmpty()
                  ? "not measured (" + endSpreadProblem + ")"
                  : Stats.of(endSpread).format() + " (slurmctld's log)"));
    }
  }

  private static String ratio(Stats measured, Stats baseline) {
    return String.format(
        Locale.ROOT,
        " (median %.1f x the baseline, +%.0f ms)",
        measured.median() / baseline.median(),
        measured.median() - baseline.median());
  }

  /**
   * A pilot script that runs the pilot in the batch shell: the layout {@code config/pilot.sbatch}
   * avoids.
   */
  private Path batchShellPilotScript() throws IOException {
    Path script = options.workDir().resolve("batch-shell-pilot.sbatch");
    Files.writeString(
        script,
        "#!/bin/bash\n# the pilot in the batch shell (for comparison only)\n"
            + "exec \"$HPC_WHISK_HOME/bin/hpc-whisk\" pilot\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  /**
   * Starts a pilot on each node, waits until they have registered and settled, then measures the
   * wait of a batch job that needs all the nodes.
   */
  private Optional<Double> pilotsThenBatchJob(
      FakeBalancer balancer, String token, Path script, List<String> nodes, String graceSeconds)
      throws Exception {
    List<String> jobs = new ArrayList<>();
    for (String node : nodes) {
      // a token file per job: each pilot deletes its own after reading it
      Map<String, String> env =
          new HashMap<>(
              PilotBenchmark.pilotJobEnvironment(
                  balancer, token, options.hpcWhiskHome(), options.workDir()));
      env.put(
          "HPC_WHISK_NO_BUILD",
          "1"); // the batch-shell script runs bin/hpc-whisk itself (pilot.sbatch sets it)
      env.put("HPC_WHISK_GRACE", graceSeconds + "s");
      jobs.add(
          slurm.sbatch(
              env,
              "--export=ALL",
              "-p",
              options.pilotPartition(),
              "-w",
              node,
              "--time=10",
              "-J",
              "hpcw-bench-handover",
              "-o",
              options.workDir().resolve("handover-pilot-%j.out").toString(),
              script.toString()));
    }
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!jobs.stream().allMatch(job -> balancer.pilot("slurm-" + job).isPresent())
        && System.nanoTime() < limit) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    List<String> missing =
        jobs.stream().filter(job -> balancer.pilot("slurm-" + job).isEmpty()).toList();
    if (!missing.isEmpty()) {
      for (String job : missing) {
        out.println(
            "pilot job "
                + job
                + " did not register; see "
                + options.workDir().resolve("handover-pilot-" + job + ".out"));
      }
      List<String> scancel = new ArrayList<>(List.of("scancel"));
      scancel.addAll(jobs);
      slurm.run(scancel.toArray(String[]::new)); // one call for all of them
      for (String job : jobs) {
        slurm.awaitGone(job);
      }
      return Optional.empty();
    }
    TimeUnit.SECONDS.sleep(1); // registered and idle
    double waited = batchJobWait(nodes);
    for (String job : jobs) {
      slurm.awaitGone(job);
    }
    if (jobs.size() > 1) {
      endSpread(jobs).ifPresent(endSpread::add);
    }
    return Optional.of(waited);
  }

  /**
   * Milliseconds from the first to the last end of {@code jobs} as slurmctld logged them ({@code
   * _job_complete: JobId=N done}), or empty when its log cannot be read here or lacks one of them
   * (the reason goes to {@link #endSpreadProblem}).
   */
  private Optional<Double> endSpread(List<String> jobs) throws Exception {
    Matcher file =
        Pattern.compile("(?m)^SlurmctldLogFile\\s*=\\s*(\\S+)")
            .matcher(slurm.run("scontrol", "show", "config"));
    if (!file.find() || !Files.isReadable(Path.of(file.group(1)))) {
      endSpreadProblem = "slurmctld's log is not readable here";
      return Optional.empty();
    }
    Map<String, LocalDateTime> ends = new TreeMap<>();
    try (var lines = Files.lines(Path.of(file.group(1)))) {
      lines
          .map(JOB_DONE::matcher)
          .filter(m -> m.find() && jobs.contains(m.group(2)))
          .forEach(m -> ends.put(m.group(2), LocalDateTime.parse(m.group(1))));
    } catch (RuntimeException e) {
      endSpreadProblem = "slurmctld's log could not be read: " + e.getMessage();
      return Optional.empty();
    }
    if (ends.size() < jobs.size()) {
      endSpreadProblem = "slurmctld's log has no end of some of " + jobs;
      return Optional.empty();
    }
    LocalDateTime first = ends.values().stream().min(LocalDateTime::compareTo).orElseThrow();
    LocalDateTime last = ends.values().stream().max(LocalDateTime::compareTo).orElseThrow();
    return Optional.of((double) Duration.between(first, last).toMillis());
  }

  /**
   * Milliseconds from just before {@code sbatch} to the first instruction of a batch job pinned to
   * the nodes.
   */
  private double batchJobWait(List<String> nodes) throws Exception {
    Path output = Files.createTempFile(options.workDir(), "handover-batch-", ".out");
    long submitted = System.currentTimeMillis();
    String job =
        slurm.sbatch(
            Map.of(),
            "-p",
            options.batchPartition(),
            "-N",
            Integer.toString(nodes.size()),
            "-w",
            String.join(",", nodes),
            "--time=1",
            "-J",
            "hpcw-bench-batch",
            "-o",
            output.toString(),
            "--wrap",
            "date +%s%3N");
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    String first = "";
    while (first.isEmpty() && System.nanoTime() < limit) {
      TimeUnit.MILLISECONDS.sleep(10);
      first = Files.readString(output).strip();
    }
    if (first.isEmpty()) {
      throw new IllegalStateException(
          "batch job " + job + " did not start within 120 s on " + nodes);
    }
    slurm.awaitGone(job);
    Files.deleteIfExists(output);
    return Long.parseLong(first.lines().findFirst().orElseThrow().strip()) - submitted;
  }
}
