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
    io.hpcwhisk.simulator.trace.TraceSummary summary;
    long jobs;
    RunResult baseline;
    long[] starts;
    try (JobSources.Source source = opener.get()) {
      BatchSimulation sim = new BatchSimulation(scheduler, null, null, sampleInterval,
          listenerFactory == null ? null : listenerFactory.apply("baseline"));
      baseline = simulate("baseline", sim, source, null);
      summary = source.summary();
      jobs = source.jobsAccepted();
      starts = sim.stats.starts(jobs);
    }
    List<RunResult> results = new ArrayList<>();
    for (HarvestConfig harvest : harvests) {
      try (JobSources.Source source = opener.get()) {
        PilotHarvester harvester = new PilotHarvester(harvest, source.unixOrigin());
        SimulationListener listener = listenerFactory == null ? null : listenerFactory.apply(harvest.policy());
        io.hpcwhisk.simulator.faas.PilotRecorder recorder = faas == null ? null
            : new io.hpcwhisk.simulator.faas.PilotRecorder(scheduler.drainTime(), listener);
        BatchSimulation sim = new BatchSimulation(scheduler, harvester, starts, sampleInterval,
            recorder != null ? recorder : listener);
        RunResult result = simulate(harvest.policy(), sim, source, harvester);
        if (faas != null) {
          long end = sim.now;
          long firstMs = sim.idle.firstSecond() * 1000;
          var replay = new io.hpcwhisk.simulator.faas.FaasSimulation(faas.pilotMemoryMb(), faas.coldStartMs(),
              faas.queueTimeoutMs(), faas.actionTimeoutMs());
          var figures = replay.run(shift(recorder.intervals(end), firstMs),
              io.hpcwhisk.simulator.faas.InvocationSources.open(faas.invocations(), end * 1000 - firstMs),
              end * 1000 - firstMs);
          result = result.withFaas(figures.asMap());
        }
        results.add(result);
      }
    }
    return new Outcome(summary, jobs, baseline, results);
  }

  private static RunResult simulate(String label, BatchSimulation sim, JobSources.Source source,
      PilotHarvester harvester) {
    long t0 = System.nanoTime();
    sim.run(source.jobs());
    double wall = (System.nanoTime() - t0) / 1e9;
    IdleAccount.Figures idle = sim.idle.figures(sim.n);
    Map<String, Object> pilots = harvester == null ? Map.of() : harvester.counters().asMap();
    return new RunResult(label, idle, sim.stats.summary(), pilots, sim.idle.timeline(), sim.idle.sampleInterval(),
        wall, idle.spanSeconds(), Map.of());
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
