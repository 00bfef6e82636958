package io.hpcwhisk.bench.harvest;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.time.Durations;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmJson;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.slurm.controller.HarvestController;
import io.hpcwhisk.slurm.workload.SyntheticWorkload;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Replays a {@link SyntheticWorkload} on a running cluster for one scenario (no harvesting, or one
 * policy), sampling the queue every {@code sample} to measure idle node-time and how much of it
 * pilots held.
 *
 * <p>A node is <i>idle</i> in a sample when no batch job runs on it (and it is up); it is
 * <i>covered</i> when a pilot runs on it then. A batch job's <i>wait</i> is its start minus its
 * submission as Slurm reports them; jobs not started by the end count with the time they waited so
 * far (censored). The controller runs in-process with its default interval; its meters give
 * submissions and preemptions.
 */
public final class HarvestBenchmark {

  /**
   * What one scenario measured. {@code waits} has a wait per job seen (censored at the run's end
   * for one not started); {@code startWaits} has one per submitted job, in submission order, NaN
   * unless it started: the n-th entry is the same job in every scenario, which is what the per-job
   * comparison pairs.
   */
  public record Result(
      String scenario,
      int jobsSubmitted,
      int jobsStarted,
      List<Double> waits,
      List<Double> startWaits,
      double idleNodeSeconds,
      double coveredNodeSeconds,
      double submissions,
      double preemptions,
      double harvestedNodeSeconds,
      IdleAccounting.Totals exact,
      String load) {

    public double coveredShare() {
      return idleNodeSeconds == 0 ? 0 : coveredNodeSeconds / idleNodeSeconds;
    }

    public double meanWait() {
      return waits.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    public double quantileWait(double q) {
      List<Double> sorted = waits.stream().sorted().toList();
      return sorted.isEmpty()
          ? 0
          : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
  }

  private final HarvestConfig base;
  private final Path home;
  private final SlurmCli cli;
  private final Duration sample;
  private final PrintStream log;

  /**
   * Starts the controller of one scenario; the default runs it against the Slurm CLI with the
   * configured pilot.
   */
  @FunctionalInterface
  public interface ControllerStarter {
    HarvestController start(HarvestConfig config, MeterRegistry registry);
  }

  private final ControllerStarter starter;

  public HarvestBenchmark(HarvestConfig base, Path home, Duration sample, PrintStream log) {
    this(
        base,
        home,
        sample,
        log,
        (config, registry) -> HarvestController.start(config, registry, home));
  }

  /**
   * As the other constructor, with the controller started by {@code starter} (the real pilot needs
   * a balancer).
   */
  public HarvestBenchmark(
      HarvestConfig base, Path home, Duration sample, PrintStream log, ControllerStarter starter) {
    this.starter = starter;
    this.base = base;
    this.home = home;
    this.sample = sample;
    this.log = log;
    this.cli =
        new SlurmCli(
            base.slurm().binDir(),
            base.slurm().commandTimeout(),
            new ProcessCommandRunner(base.slurm().environment()),
            SlurmCli.CallObserver.NONE);
  }

  /**
   * Runs every scenario ({@code none} = no harvesting, else a policy name) on the same seeded
   * workload, printing each result as it comes, and returns the Markdown table of all.
   */
  public String runAll(
      long seed, Duration span, Duration meanGap, List<String> scenarios, String batchPartition)
      throws InterruptedException {
    int nodes =
        (int)
            SlurmJson.nodes(cli.sinfoJson()).stream()
                .filter(n -> n.partitions().contains(batchPartition))
                .count();
    SyntheticWorkload workload = SyntheticWorkload.generate(seed, span, nodes, meanGap);
    log.printf(
        "workload: seed %d, %d batch jobs over %s on %d nodes, %d node-s of work%n",
        seed, workload.jobs().size(), Durations.format(span), nodes, workload.nodeSeconds());
    List<Result> results = new ArrayList<>();
    for (String scenario : scenarios) {
      log.println("run " + scenario + " (" + Durations.format(span) + ") ...");
      Optional<String> policy = scenario.equals("none") ? Optional.empty() : Optional.of(scenario);
      Map<String, String> params =
          scenario.equals(base.harvest().policy()) ? base.harvest().params() : Map.of();
      Result result = run(policy, params, workload, span, batchPartition);
      results.add(result);
      log.print(BenchReport.markdown(List.of(result)));
    }
    return BenchReport.markdown(results);
  }

  /** Runs one scenario: {@code policy} empty means no harvesting. */
  public Result run(
      Optional<String> policy,
      Map<String, String> params,
      SyntheticWorkload workload,
      Duration span,
      String batchPartition)
      throws InterruptedException {
    clean();
    String loadBefore = loadAverage();
    String scenario = policy.orElse("none");
    MeterRegistry registry = new SimpleMeterRegistry();
    HarvestController controller = null;
    if (policy.isPresent()) {
      var h = base.harvest();
      var cfg =
          new HarvestConfig(
              base.slurm(),
              new HarvestConfig.Harvest(
                  policy.get(),
                  params,
                  h.interval(),
                  false,
                  h.maxSubmissionsPerPass(),
                  h.expeditePreemption(),
                  h.pilotJob(),
                  h.holdFreedNodes()));
      controller = starter.start(cfg, registry);
    }
    Sampler sampler = new Sampler(base.harvest().pilotJob().namePrefix());
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Instant start = Instant.now();
    timer.scheduleAtFixedRate(sampler::sample, 0, sample.toMillis(), TimeUnit.MILLISECONDS);
    List<JobId> submitted =
        new ArrayList<>(); // in submission order: the n-th wait is the same job in every run
    try {
      for (SyntheticWorkload.BatchJob job : workload.jobs()) {
        long wait = Duration.between(Instant.now(), start.plus(job.offset())).toMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        submitted.add(
            cli.sbatch(
                List.of(
                    "--partition=" + batchPartition,
                    "--nodes=" + job.nodes(),
                    "--time=" + job.limit().toMinutes(),
                    "--job-name=bench-batch",
                    "--output=/dev/null"),
                "#!/bin/sh\nsleep " + job.runtime().toSeconds() + "\n"));
      }
      long rest = Duration.between(Instant.now(), start.plus(span)).toMillis();
      if (rest > 0) {
        Thread.sleep(rest);
      }
    } finally {
      timer.shutdown();
      timer.awaitTermination(30, TimeUnit.SECONDS);
      if (controller != null) {
        controller.close();
      }
    }
    sampler.sample();
    Instant end = Instant.now();
    List<Double> waits = new ArrayList<>();
    List<Double> startWaits = new ArrayList<>();
    int started = 0;
    for (JobId id : submitted) {
      Instant submit = sampler.submitted.get(id);
      Instant began = sampler.started.get(id);
      double startWait =
          submit == null || began == null
              ? Double.NaN
              : Duration.between(submit, began).toMillis() / 1000.0;
      startWaits.add(startWait);
      if (submit == null) {
        continue;
      }
      if (began != null) {
        started++;
        waits.add(startWait);
      } else {
        waits.add(Duration.between(submit, end).toMillis() / 1000.0);
      }
    }
    IdleAccounting.Totals exact =
        IdleAccounting.account(
            sampler.upNodes, sampler.runs(end), start, end, Duration.ofMinutes(1));
    Result result =
        new Result(
            scenario,
            submitted.size(),
            started,
            waits,
            startWaits,
            sampler.idle,
            sampler.covered,
            sum(registry, "hpcwhisk.harvest.submissions"),
            count(registry, "hpcwhisk.harvest.preemptions"),
            count(registry, "hpcwhisk.harvest.node.seconds"),
            exact,
            loadBefore + " → " + loadAverage());
    clean();
    return result;
  }

  /** Cancels every job and waits until the queue is empty and the nodes idle. */
  public void clean() throws InterruptedException {
    cli.scancelAll();
    for (int i = 0; i < 120; i++) {
      List<Job> active =
          SlurmJson.jobs(cli.squeueJson()).stream().filter(j -> j.state().active()).toList();
      boolean idle =
          SlurmJson.nodes(cli.sinfoJson()).stream()
              .allMatch(
                  n ->
                      n.state() == NodeState.IDLE
                          || n.state() == NodeState.DOWN
                          || n.state() == NodeState.DRAIN);
      if (active.isEmpty() && idle) {
        return;
      }
      Thread.sleep(1000);
    }
    log.println("warning: the cluster did not become idle within 2 minutes");
  }

  /** The 1, 5 and 15 minute load averages of this machine (Linux), or "?" elsewhere. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static double count(MeterRegistry registry, String name) {
    Counter c = registry.find(name).counter();
    return c == null ? 0 : c.count();
  }

  private static double sum(MeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  /**
   * Integrates idle and pilot-covered node-time, and remembers batch jobs' submit and start times.
   */
  private final class Sampler {
    final String pilotPrefix;
    final Map<JobId, Instant> submitted = new HashMap<>();
    final Map<JobId, Instant> started = new HashMap<>();

    /** The last observation of every job that started, for {@link IdleAccounting}. */
    final Map<JobId, Job> seen = new HashMap<>();

    final Set<String> upNodes = new TreeSet<>();
    Instant last;
    double idle;
    double covered;

    Sampler(String pilotPrefix) {
      this.pilotPrefix = pilotPrefix;
    }

    /**
     * Every job run seen, per node; a job still running (or without an end) runs until {@code end}.
     */
    synchronized List<IdleAccounting.Run> runs(Instant end) {
      List<IdleAccounting.Run> runs = new ArrayList<>();
      for (Job job : seen.values()) {
        boolean active =
            job.state() == JobState.RUNNING
                || job.state() == JobState.COMPLETING
                || job.state() == JobState.SUSPENDED;
        Instant stop = active ? end : job.endTime().filter(e -> e.isBefore(end)).orElse(end);
        for (String node : job.nodes()) {
          runs.add(
              new IdleAccounting.Run(
                  node, job.name().startsWith(pilotPrefix), job.startTime().get(), stop));
        }
      }
      return runs;
    }

    synchronized void sample() {
      try {
        Instant now = Instant.now();
        List<Job> jobs = SlurmJson.jobs(cli.squeueJson());
        List<NodeInfo> nodes = SlurmJson.nodes(cli.sinfoJson());
        Set<String> batchBusy = new HashSet<>();
        Set<String> pilotHeld = new HashSet<>();
        for (Job job : jobs) {
          boolean pilot = job.name().startsWith(pilotPrefix);
          if (job.state() != JobState.PENDING
              && job.startTime().isPresent()
              && !job.nodes().isEmpty()) {
            seen.put(job.id(), job);
          }
          if (!pilot) {
            job.submitTime().ifPresent(t -> submitted.putIfAbsent(job.id(), t));
            if (job.state() != JobState.PENDING && job.state() != JobState.CANCELLED) {
              job.startTime().ifPresent(t -> started.putIfAbsent(job.id(), t));
            }
          }
          if (job.state() == JobState.RUNNING || job.state() == JobState.COMPLETING) {
            (pilot ? pilotHeld : batchBusy).addAll(job.nodes());
          }
        }
        if (last != null) {
          double dt = Duration.between(last, now).toMillis() / 1000.0;
          for (NodeInfo node : nodes) {
            if (node.state() == NodeState.DOWN
                || node.state() == NodeState.DRAIN
                || batchBusy.contains(node.name())) {
              continue;
            }
            upNodes.add(node.name());
            idle += dt;
            if (pilotHeld.contains(node.name())) {
              covered += dt;
            }
          }
        }
        last = now;
        nodes.stream()
            .filter(n -> n.state() != NodeState.DOWN && n.state() != NodeState.DRAIN)
            .forEach(n -> upNodes.add(n.name()));
      } catch (RuntimeException e) {
        log.println("sample failed: " + e.getMessage());
      }
    }
  }
}
