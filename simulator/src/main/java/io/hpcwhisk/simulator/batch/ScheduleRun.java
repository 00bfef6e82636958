package io.hpcwhisk.simulator.batch;

import io.hpcwhisk.simulator.faas.FaasSettings;
import io.hpcwhisk.simulator.faas.FaasSimulation;
import io.hpcwhisk.simulator.faas.InvocationSources;
import io.hpcwhisk.simulator.faas.PilotInterval;
import io.hpcwhisk.simulator.faas.PilotRecorder;
import io.hpcwhisk.simulator.trace.TraceSummary;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Runs a trace once without pilots (the baseline) and once per harvest policy, pairing each job's
 * start across runs so that the cost of harvesting (delays, wait and slowdown changes) is reported
 * next to its gain. When pilots take time to leave, a third kind of run, the {@linkplain Yardstick
 * yardstick}, measures how far the same schedule moves with no pilot at all when every job's nodes
 * are handed on that much later.
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
   * @param yardstick the schedule's own sensitivity to the drain time; null without policies or
   *     with no drain time
   */
  public record Outcome(
      TraceSummary traceSummary,
      long jobs,
      RunResult baseline,
      List<RunResult> withPilots,
      Yardstick yardstick) {}

  /**
   * The trace without pilots, with every job's nodes handed on {@code handoverSeconds} later
   * (COMPLETING time plus the drain time of the runs with pilots), compared job by job with the
   * baseline exactly as a run with pilots is. Its delays are caused by no harvester: a schedule
   * moves when hand-overs take time, and its jobs delayed beyond the grace time here are the
   * measure against which the pilots' knock-on delays are read.
   *
   * @param handoverSeconds the hand-over added to every job: the drain time
   * @param run the run, labelled {@code yardstick}; its job figures have delays against the
   *     baseline
   */
  public record Yardstick(double handoverSeconds, RunResult run) {}

  /**
   * Whether {@link #run} also measures the {@link Yardstick}: with policies to compare and a
   * non-zero drain time.
   */
  public static boolean measuresYardstick(
      SchedulerConfig scheduler, List<SimHarvestConfig> harvests) {
    return !harvests.isEmpty() && scheduler.drainTime() > 0;
  }

  /**
   * @param scheduler the cluster and scheduler
   * @param opener opens the trace anew for each run
   * @param harvests the policies to compare (may be empty: baseline only)
   * @param sampleInterval seconds between timeline samples
   * @param listenerFactory a listener per run label (null: none)
   */
  public static Outcome run(
      SchedulerConfig scheduler,
      Supplier<JobSources.Source> opener,
      List<SimHarvestConfig> harvests,
      long sampleInterval,
      Function<String, SimulationListener> listenerFactory) {
    return run(scheduler, opener, harvests, sampleInterval, listenerFactory, null);
  }

  /** As above, and with {@code faas} set, replays its activations against each run's pilots. */
  public static Outcome run(
      SchedulerConfig scheduler,
      Supplier<JobSources.Source> opener,
      List<SimHarvestConfig> harvests,
      long sampleInterval,
      Function<String, SimulationListener> listenerFactory,
      FaasSettings faas) {
    return run(scheduler, opener, harvests, sampleInterval, listenerFactory, faas, 1, null);
  }

  /**
   * As above, with up to {@code threads} runs at once (the baseline and the policies are
   * independent until their starts are compared, which happens after all of them ended), and {@code
   * progress} (nullable) told the jobs submitted so far over all runs.
   */
  public static Outcome run(
      SchedulerConfig scheduler,
      Supplier<JobSources.Source> opener,
      List<SimHarvestConfig> harvests,
      long sampleInterval,
      Function<String, SimulationListener> listenerFactory,
      FaasSettings faas,
      int threads,
      LongConsumer progress) {
    Run base = new Run("baseline", null, scheduler);
    List<Run> policies = new ArrayList<>();
    for (SimHarvestConfig harvest : harvests) {
      policies.add(new Run(harvest.policy(), harvest, scheduler));
    }
    Run yardstick =
        measuresYardstick(scheduler, harvests)
            ? new Run(
                "yardstick",
                null,
                scheduler.withCompleting(scheduler.completingTime() + scheduler.drainTime()))
            : null;
    List<Run> runs = new ArrayList<>();
    runs.add(base);
    runs.addAll(policies);
    if (yardstick != null) {
      runs.add(yardstick);
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(threads, runs.size())),
            r -> {
              Thread t = new Thread(r, "simulate-schedule");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Run run : runs) {
        futures.add(pool.submit(() -> run.execute(opener, sampleInterval, listenerFactory, faas)));
      }
      for (Future<?> f : futures) {
        while (true) {
          try {
            f.get(200, TimeUnit.MILLISECONDS);
            break;
          } catch (TimeoutException e) {
            if (progress != null) {
              progress.accept(runs.stream().mapToLong(Run::jobsSeen).sum());
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while simulating", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    long[] starts = base.sim.stats.starts(base.jobs);
    List<RunResult> results = new ArrayList<>();
    for (Run run : policies) {
      run.sim.stats.compareWith(starts);
      RunResult result = run.result();
      results.add(run.faasFigures == null ? result : result.withFaas(run.faasFigures));
    }
    Yardstick measured = null;
    if (yardstick != null) {
      yardstick.sim.stats.compareWith(starts);
      measured = new Yardstick(scheduler.time().seconds(scheduler.drainTime()), yardstick.result());
    }
    return new Outcome(base.summary, base.jobs, base.result(), results, measured);
  }

  /**
   * The trace run twice without pilots, with {@code reference} and with {@code perturbed} settings,
   * and every job's start in the second run compared with the first: how far the schedule moves
   * when nothing but a scheduler setting changes (for example one second of COMPLETING time after
   * every job) — a yardstick for the delays that pilots cause. The grace time that counts a delay
   * as beyond it is {@code perturbed}'s.
   */
  public static JobStats.Summary compareWithoutPilots(
      SchedulerConfig reference, SchedulerConfig perturbed, Supplier<JobSources.Source> opener) {
    Run first = new Run("reference", null, reference);
    first.execute(opener, 3600, null, null);
    Run second = new Run("perturbed", null, perturbed);
    second.execute(opener, 3600, null, null);
    second.sim.stats.compareWith(first.sim.stats.starts(first.jobs));
    return second.sim.stats.summary();
  }

  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  /** One run (without pilots when {@code harvest} is null), executed on a pool thread. */
  private static final class Run {
    final String label;
    final SimHarvestConfig harvest;
    final SchedulerConfig scheduler;
    volatile BatchSimulation sim;
    PilotHarvester harvester;
    double wall;
    double cpu;
    TraceSummary summary;
    long jobs;
    Map<String, Object> faasFigures;

    Run(String label, SimHarvestConfig harvest, SchedulerConfig scheduler) {
      this.label = label;
      this.harvest = harvest;
      this.scheduler = scheduler;
    }

    long jobsSeen() {
      BatchSimulation s = sim;
      return s == null ? 0 : s.jobsSeen();
    }

    void execute(
        Supplier<JobSources.Source> opener,
        long sampleInterval,
        Function<String, SimulationListener> listenerFactory,
        FaasSettings faas) {
      try (JobSources.Source source = opener.get()) {
        SimulationListener listener = listenerFactory == null ? null : listenerFactory.apply(label);
        if (harvest == null) {
          sim = new BatchSimulation(scheduler, null, null, sampleInterval, listener);
        } else {
          harvester = new PilotHarvester(harvest, source.unixOrigin());
          PilotRecorder recorder =
              faas == null
                  ? null
                  : new PilotRecorder(scheduler.drainTime(), scheduler.time(), listener);
          sim =
              new BatchSimulation(
                  scheduler,
                  harvester,
                  null,
                  sampleInterval,
                  recorder != null ? recorder : listener);
          long t0 = System.nanoTime();
          long c0 = CPU.getCurrentThreadCpuTime();
          sim.run(source.jobs());
          wall = (System.nanoTime() - t0) / 1e9;
          cpu = (CPU.getCurrentThreadCpuTime() - c0) / 1e9;
          if (faas != null) {
            long end = sim.now;
            long firstMs = scheduler.time().millis(sim.idle.firstTick());
            long endMs = scheduler.time().millis(end);
            var replay =
                new FaasSimulation(
                    faas.pilotMemoryMb(),
                    faas.coldStartMs(),
                    faas.queueTimeoutMs(),
                    faas.actionTimeoutMs());
            faasFigures =
                replay
                    .run(
                        shift(recorder.intervals(end), firstMs),
                        InvocationSources.open(faas.invocations(), endMs - firstMs),
                        endMs - firstMs)
                    .asMap();
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
      return new RunResult(
          label,
          idle,
          sim.stats.summary(),
          pilots,
          sim.idle.timeline(),
          sim.idle.sampleSeconds(),
          wall,
          cpu,
          idle.spanSeconds(),
          Map.of());
    }
  }

  /** Pilot times relative to the first submit, the origin of the activation stream. */
  private static List<PilotInterval> shift(List<PilotInterval> intervals, long originMs) {
    List<PilotInterval> out = new ArrayList<>(intervals.size());
    for (var p : intervals) {
      out.add(
          new PilotInterval(
              p.id(),
              p.startMs() - originMs,
              p.readyMs() == Long.MAX_VALUE ? Long.MAX_VALUE : p.readyMs() - originMs,
              p.deadlineMs() - originMs,
              p.stopMs() - originMs,
              p.goneMs() - originMs));
    }
    return out;
  }
}
