package io.hpcwhisk.simulator.batch;

import io.hpcwhisk.configuration.PolicyParamsBinding;
import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.swf.SwfClusterSize;
import io.hpcwhisk.simulator.swf.SwfHeader;
import io.hpcwhisk.simulator.swf.SwfReader;
import io.hpcwhisk.simulator.swf.TextFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The facade behind {@code hpc-whisk simulate schedule}: resolves the trace and cluster, runs,
 * writes the report.
 */
public final class Schedules {

  private Schedules() {}

  /** What a run produced, plus the files written. */
  public record Result(
      ScheduleRun.Outcome outcome,
      int nodes,
      String nodesFrom,
      List<Path> files,
      Map<String, Object> speed) {}

  public static Result run(ScheduleRequest request) {
    return run(request, null);
  }

  /**
   * As {@link #run(ScheduleRequest)}, running the baseline and the policies in parallel on the
   * available processors, and telling {@code progress} (nullable) the share of the work done: jobs
   * submitted over all runs against the trace's job lines (an estimate: skipped lines count too)
   * times the number of runs.
   */
  public static Result run(ScheduleRequest request, Progress progress) {
    String trace = request.trace();
    int nodes = request.nodes();
    TimeBase time = request.scheduler().time();
    TraceSpread spread = request.spread();
    Supplier<JobSources.Source> opener;
    String nodesFrom = "--nodes";
    if (trace.startsWith("swf:")) {
      Path file = Path.of(trace.substring(4));
      SwfHeader header = SwfReader.readHeader(file);
      int perNode = request.procsPerNode() > 0 ? request.procsPerNode() : header.procsPerNode();
      if (nodes <= 0) {
        SwfClusterSize size = SwfClusterSize.of(file, header, perNode);
        nodes = size.nodes();
        nodesFrom = size.source();
      }
      int n = nodes;
      opener = () -> new JobSources(n, time, spread).swf(file, perNode);
    } else if (trace.startsWith("sacct:")) {
      Path file = Path.of(trace.substring(6));
      if (nodes <= 0) {
        throw new IllegalArgumentException(
            "a sacct dump does not say how many nodes the cluster has; give --nodes");
      }
      int n = nodes;
      opener = () -> new JobSources(n, time, spread).sacct(file);
    } else if (trace.startsWith("synthetic:")) {
      if (nodes <= 0) {
        nodes = 2000;
        nodesFrom = "the synthetic default";
      }
      int n = nodes;
      opener = () -> new JobSources(n, time, spread).synthetic(trace);
    } else {
      throw new IllegalArgumentException(
          "trace '" + trace + "': expected swf:FILE, sacct:FILE or synthetic:SPEC");
    }
    SchedulerConfig config = request.scheduler().withNodes(nodes);
    List<SimHarvestConfig> harvests = new ArrayList<>();
    for (String policy : request.policies()) {
      harvests.add(
          new SimHarvestConfig(
                  policy,
                  request.policyParams().getOrDefault(policy, Map.of()),
                  request.controllerInterval(),
                  request.warmup())
              .withHoldFreedNodes(request.holdFreedNodes())
              .withWindowRules(
                  request.holdReservedNodes(), request.reservedHorizon(), request.shortWindows()));
      // refuses an unknown --policy-param POLICY.KEY or a bad value before the run
      PolicyParamsBinding.read(
          policy, request.policyParams().getOrDefault(policy, Map.of()), policy);
    }
    resetPeaks();
    long t0 = System.nanoTime();
    Progress shown = progress == Progress.NONE ? null : progress;
    LongConsumer jobsDone = null;
    if (shown != null) {
      int runs = 1 + harvests.size() + (ScheduleRun.measuresYardstick(config, harvests) ? 1 : 0);
      double work = Math.max(1, estimateJobs(trace)) * runs;
      jobsDone = done -> shown.update(done / work);
    }
    ScheduleRun.Outcome outcome;
    try {
      outcome =
          ScheduleRun.run(
              config,
              opener,
              harvests,
              request.sampleInterval(),
              null,
              request.faas(),
              Runtime.getRuntime().availableProcessors(),
              jobsDone);
    } finally {
      if (shown != null) {
        shown.done();
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> speed = speed(outcome, wall);
    Map<String, Object> settings = settings(request, config);
    settings.put("nodesFrom", nodesFrom);
    List<Path> files =
        request.out() == null
            ? List.of()
            : ScheduleReport.write(
                outcome, settings, Map.of("speed", speed), request.out(), request.plots());
    return new Result(outcome, nodes, nodesFrom, files, speed);
  }

  /**
   * The cluster size of an SWF trace at {@code perNode} processors per node: the header's MaxProcs,
   * else MaxNodes, else a companion machines file, else the trace's largest job ({@link
   * io.hpcwhisk.simulator.swf.SwfClusterSize}).
   */
  public static int clusterNodes(Path file, SwfHeader header, int perNode) {
    return SwfClusterSize.of(file, header, perNode).nodes();
  }

  /**
   * Job lines of a trace file (not comments or the sacct header), or the synthetic spec's {@code
   * jobs}.
   */
  static long estimateJobs(String trace) {
    if (trace.startsWith("synthetic:")) {
      for (String kv : trace.substring(10).split(",")) {
        if (kv.startsWith("jobs=")) {
          try {
            return Long.parseLong(kv.substring(5).strip());
          } catch (NumberFormatException e) {
            return 1;
          }
        }
      }
      return 10_000;
    }
    Path file = Path.of(trace.substring(trace.indexOf(':') + 1));
    long lines = 0;
    try (BufferedReader in = TextFiles.open(file)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank() && !line.startsWith(";")) {
          lines++;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 1; // the run itself reports a bad file
    }
    return trace.startsWith("sacct:") ? Math.max(1, lines - 1) : lines;
  }

  private static Map<String, Object> settings(ScheduleRequest r, SchedulerConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trace", r.trace());
    m.put("nodes", c.nodes());
    m.put("scheduler", c.algorithm().name().toLowerCase(Locale.ROOT));
    m.put("bfMaxJobTest", c.bfMaxJobTest());
    TimeBase t = c.time();
    LongFunction<Number> seconds = ticks -> ScheduleReport.seconds(t.seconds(ticks));
    m.put("bfWindowSeconds", seconds.apply(c.bfWindow()));
    m.put("bfResolutionSeconds", seconds.apply(c.bfResolution()));
    m.put("bfIntervalSeconds", seconds.apply(c.bfInterval()));
    m.put("graceSeconds", seconds.apply(c.graceTime()));
    m.put("drainSeconds", seconds.apply(c.drainTime()));
    m.put("completingSeconds", seconds.apply(c.completingTime()));
    m.put("timeResolution", t.ticksPerSecond() == 1 ? "1 s" : "1 ms");
    m.put("spreadSeed", r.spread() == null ? null : r.spread().seed());
    m.put("policies", r.policies());
    m.put("policyParams", r.policyParams());
    m.put("controllerIntervalSeconds", r.controllerInterval());
    m.put("warmupSeconds", r.warmup());
    m.put("holdFreedNodes", r.holdFreedNodes());
    m.put("holdReservedNodes", r.holdReservedNodes());
    m.put("reservedHoldHorizonSeconds", r.reservedHorizon());
    m.put("shortWindows", r.shortWindows());
    if (r.faas() != null) {
      m.put("faas", r.faas());
    }
    return m;
  }

  /** Jobs per second, simulated seconds per wall second, and peak heap over all runs. */
  static Map<String, Object> speed(ScheduleRun.Outcome outcome, double wall) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<RunResult> runs = new ArrayList<>(ScheduleReport.runs(outcome));
    if (outcome.yardstick() != null) {
      runs.add(outcome.yardstick().run());
    }
    m.put("runs", runs.size());
    m.put("wallSeconds", wall);
    double simulated = 0;
    Map<String, Object> perRun = new LinkedHashMap<>();
    for (RunResult r : runs) {
      simulated += r.simulatedSeconds();
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("wallSeconds", r.wallSeconds());
      one.put("cpuSeconds", r.cpuSeconds());
      one.put("jobsPerSecond", outcome.jobs() / Math.max(1e-9, r.wallSeconds()));
      one.put(
          "simulatedSecondsPerWallSecond", r.simulatedSeconds() / Math.max(1e-9, r.wallSeconds()));
      perRun.put(r.label(), one);
    }
    m.put("jobsPerSecond", outcome.jobs() * runs.size() / Math.max(1e-9, wall));
    m.put("simulatedSecondsPerWallSecond", simulated / Math.max(1e-9, wall));
    m.put("peakHeapMb", peakHeapMb());
    m.put("perRun", perRun);
    return m;
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  /** Sum of the heap pools' peak usage since the run started, in MB. */
  static double peakHeapMb() {
    long bytes = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        bytes += pool.getPeakUsage().getUsed();
      }
    }
    return bytes / 1e6;
  }
}
