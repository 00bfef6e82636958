package io.hpcwhisk.simulator.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs a trace once without pilots (the baseline) and once per harvest policy, pairing each job's start across runs
 * so that the cost of harvesting (delays, wait and slowdown changes) is reported next to its gain.
 */
public final class ScheduleRun {

  private ScheduleRun() {}

  /**
   * Everything the runs produced.
   *
   * @param traceSummary what the reader read, skipped and adjusted (from the baseline pass)
   * @param jobs jobs accepted
   * @param baseline the run without pilots
   * @param withPilots one run per policy, in the order given
   */
  public record Outcome(io.hpcwhisk.simulator.trace.TraceSummary traceSummary, long jobs, RunResult baseline,
      List<RunResult> withPilots) {}

  /**
   * @param scheduler the cluster and scheduler
   * @param opener opens the trace anew for each run
   * @param harvests the policies to compare (may be empty: baseline only)
   * @param sampleInterval seconds between timeline samples
   * @param listenerFactory a listener per run label (null: none)
   */
  public static Outcome run(SchedulerConfig scheduler, Supplier<JobSources.Source> opener,
      List<HarvestConfig> harvests, long sampleInterval,
      java.util.function.Function<String, SimulationListener> listenerFactory) {
    return run(scheduler, opener, harvests, sampleInterval, listenerFactory, null);
  }

  /** As above, and with {@code faas} set, replays its activations against each run's pilots. */
  public static Outcome run(SchedulerConfig scheduler, Supplier<JobSources.Source> opener,
      List<HarvestConfig> harvests, long sampleInterval,
      java.util.function.Function<String, SimulationListener> listenerFactory,
      io.hpcwhisk.simulator.faas.FaasSettings faas) {
    return run(scheduler, opener, harvests, sampleInterval, listenerFactory, faas, 1, null);
  }

  /**
   * As above, with up to {@code threads} runs at once (the baseline and the policies are independent until their
   * starts are compared, which happens after all of them ended), and {@code progress} (nullable) told the jobs
   * submitted so far over all runs.
   */
  public static Outcome run(SchedulerConfig scheduler, Supplier<JobSources.Source> opener,
      List<HarvestConfig> harvests, long sampleInterval,
      java.util.function.Function<String, SimulationListener> listenerFactory,
      io.hpcwhisk.simulator.faas.FaasSettings faas, int threads, java.util.function.LongConsumer progress) {
    List<Run> runs = new ArrayList<>();
    runs.add(new Run(null));
    for (HarvestConfig harvest : harvests) {
      runs.add(new Run(harvest));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
        Math.max(1, Math.min(threads, runs.size())), r -> {
          Thread t = new Thread(r, "simulate-schedule");
          t.setDaemon(true);
          return t;
        });
    try {
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (Run run : runs) {
        futures.add(pool.submit(() -> run.execute(scheduler, opener, sampleInterval, listenerFactory, faas)));
      }
      for (java.util.concurrent.Future<?> f : futures) {
        while (true) {
          try {
            f.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            break;
          } catch (java.util.concurrent.TimeoutException e) {
            if (progress != null) {
              progress.accept(runs.stream().mapToLong(Run::jobsSeen).sum());
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while simulating", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    Run base = runs.get(0);
    long[] starts = base.sim.stats.starts(base.jobs);
    List<RunResult> results = new ArrayList<>();
    for (Run run : runs.subList(1, runs.size())) {
      run.sim.stats.compareWith(starts);
      RunResult result = run.result();
      results.add(run.faasFigures == null ? result : result.withFaas(run.faasFigures));
    }
    return new Outcome(base.summary, base.jobs, base.result(), results);
  }

  /**
   * The trace run twice without pilots, with {@code reference} and with {@code perturbed} settings, and every job's
   * start in the second run compared with the first: how far the schedule moves when nothing but a scheduler
   * setting changes (for example one second of COMPLETING time after every job) — a yardstick for the delays that
   * pilots cause. The grace time that counts a delay as beyond it is {@code perturbed}'s.
   */
  public static JobStats.Summary compareWithoutPilots(SchedulerConfig reference, SchedulerConfig perturbed,
      Supplier<JobSources.Source> opener) {
    Run first = new Run(null);
    first.execute(reference, opener, 3600, null, null);
    Run second = new Run(null);
    second.execute(perturbed, opener, 3600, null, null);
    second.sim.stats.compareWith(first.sim.stats.starts(first.jobs));
    return second.sim.stats.summary();
  }

  private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

  /** One run (the baseline when {@code harvest} is null), executed on a pool thread. */
  private static final class Run {
    final HarvestConfig harvest;
    volatile BatchSimulation sim;
    PilotHarvester harvester;
    double wall;
    double cpu;
    io.hpcwhisk.simulator.trace.TraceSummary summary;
    long jobs;
    Map<String, Object> faasFigures;

    Run(HarvestConfig harvest) {
      this.harvest = harvest;
    }

    long jobsSeen() {
      BatchSimulation s = sim;
      return s == null ? 0 : s.jobsSeen();
    }

    void execute(SchedulerConfig scheduler, Supplier<JobSources.Source> opener, long sampleInterval,
        java.util.function.Function<String, SimulationListener> listenerFactory,
        io.hpcwhisk.simulator.faas.FaasSettings faas) {
      try (JobSources.Source source = opener.get()) {
        String label = harvest == null ? "baseline" : harvest.policy();
        SimulationListener listener = listenerFactory == null ? null : listenerFactory.apply(label);
        if (harvest == null) {
          sim = new BatchSimulation(scheduler, null, null, sampleInterval, listener);
        } else {
          harvester = new PilotHarvester(harvest, source.unixOrigin());
          io.hpcwhisk.simulator.faas.PilotRecorder recorder = faas == null ? null
              : new io.hpcwhisk.simulator.faas.PilotRecorder(scheduler.drainTime(), listener);
          sim = new BatchSimulation(scheduler, harvester, null, sampleInterval,
              recorder != null ? recorder : listener);
          long t0 = System.nanoTime();
          long c0 = CPU.getCurrentThreadCpuTime();
          sim.run(source.jobs());
          wall = (System.nanoTime() - t0) / 1e9;
          cpu = (CPU.getCurrentThreadCpuTime() - c0) / 1e9;
          if (faas != null) {
            long end = sim.now;
            long firstMs = sim.idle.firstSecond() * 1000;
            var replay = new io.hpcwhisk.simulator.faas.FaasSimulation(faas.pilotMemoryMb(), faas.coldStartMs(),
                faas.queueTimeoutMs(), faas.actionTimeoutMs());
            faasFigures = replay.run(shift(recorder.intervals(end), firstMs),
                io.hpcwhisk.simulator.faas.InvocationSources.open(faas.invocations(), end * 1000 - firstMs),
                end * 1000 - firstMs).asMap();
          }
          return;
        }
        long t0 = System.nanoTime();
        long c0 = CPU.getCurrentThreadCpuTime();
        sim.run(source.jobs());
        wall = (System.nanoTime() - t0) / 1e9;
        cpu = (CPU.getCurrentThreadCpuTime() - c0) / 1e9;
        summary = source.summary();
        jobs = source.jobsAccepted();
      }
    }

    RunResult result() {
      IdleAccount.Figures idle = sim.idle.figures(sim.n);
      Map<String, Object> pilots = harvester == null ? Map.of() : harvester.counters().asMap();
      return new RunResult(harvest == null ? "baseline" : harvest.policy(), idle, sim.stats.summary(), pilots,
          sim.idle.timeline(), sim.idle.sampleInterval(), wall, cpu, idle.spanSeconds(), Map.of());
    }
  }

  /** Pilot times relative to the first submit, the origin of the activation stream. */
  private static List<io.hpcwhisk.simulator.faas.PilotInterval> shift(
      List<io.hpcwhisk.simulator.faas.PilotInterval> intervals, long originMs) {
    List<io.hpcwhisk.simulator.faas.PilotInterval> out = new ArrayList<>(intervals.size());
    for (var p : intervals) {
      out.add(new io.hpcwhisk.simulator.faas.PilotInterval(p.id(), p.startMs() - originMs,
          p.readyMs() == Long.MAX_VALUE ? Long.MAX_VALUE : p.readyMs() - originMs, p.deadlineMs() - originMs,
          p.stopMs() - originMs, p.goneMs() - originMs));
    }
    return out;
  }
}
