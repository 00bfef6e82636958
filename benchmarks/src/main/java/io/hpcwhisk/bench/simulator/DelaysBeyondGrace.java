package io.hpcwhisk.bench.simulator;

import io.hpcwhisk.simulator.batch.Algorithm;
import io.hpcwhisk.simulator.batch.JobSources;
import io.hpcwhisk.simulator.batch.JobSpec;
import io.hpcwhisk.simulator.batch.ScheduleRun;
import io.hpcwhisk.simulator.batch.SchedulerConfig;
import io.hpcwhisk.simulator.batch.Schedules;
import io.hpcwhisk.simulator.batch.SimHarvestConfig;
import io.hpcwhisk.simulator.batch.SimulationListener;
import io.hpcwhisk.simulator.batch.TimeBase;
import io.hpcwhisk.simulator.batch.TraceSpread;
import io.hpcwhisk.simulator.swf.SwfHeader;
import io.hpcwhisk.simulator.swf.SwfReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which batch jobs a run with pilots starts more than the grace time later than its baseline, and
 * by how much: {@code simulate schedule} counts them; this lists their delays, grouped by how many
 * backfill passes ({@code bf_interval}) they span, to tell a job that missed one pass (delayed one
 * {@code bf_interval} plus a few drains) from one whose reservation moved.
 *
 * <p>Usage: {@code java -cp hpc-whisk.jar io.hpcwhisk.bench.simulator.DelaysBeyondGrace TRACE.swf
 * DRAIN_SECONDS [SEED ...]} — {@code adaptive}, Slurm-style backfilling with the defaults of {@code
 * simulate schedule} (grace time 30 s), counted in milliseconds, the trace spread inside its
 * seconds with each seed ({@code 0}: unspread; default 1).
 */
public final class DelaysBeyondGrace {

  private DelaysBeyondGrace() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println(
          "usage: DelaysBeyondGrace TRACE.swf DRAIN_SECONDS [SEED ...] (default seed 1; 0:"
              + " unspread)");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    double drain = Double.parseDouble(args[1]);
    SwfHeader header = SwfReader.readHeader(file);
    int perNode = header.procsPerNode();
    int nodes = Schedules.clusterNodes(file, header, perNode);
    TimeBase ms = TimeBase.MILLIS;
    SchedulerConfig config =
        SchedulerConfig.defaults(nodes, Algorithm.SLURM).in(ms).withDrain(ms.ticks(drain, "drain"));
    double grace = ms.seconds(config.graceTime());
    double interval = ms.seconds(config.bfInterval());
    String[] seeds =
        args.length > 2 ? Arrays.copyOfRange(args, 2, args.length) : new String[] {"1"};
    System.out.printf(
        Locale.ROOT,
        "%s: %d nodes, adaptive, drain %s s, grace %s s, bf_interval %s s%n",
        file.getFileName(),
        nodes,
        TimeBase.format(drain),
        TimeBase.format(grace),
        TimeBase.format(interval));
    for (String s : seeds) {
      long seed = Long.parseLong(s);
      TraceSpread spread = seed == 0 ? null : new TraceSpread(seed);
      Map<String, Map<Long, Long>> starts = new ConcurrentHashMap<>();
      ScheduleRun.run(
          config,
          () -> new JobSources(nodes, ms, spread).swf(file, perNode),
          List.of(new SimHarvestConfig("adaptive", Map.of(), 15, 20)),
          600,
          label -> startsInto(starts, label));
      List<Double> beyond = new ArrayList<>();
      Map<Long, Long> baseline = starts.get("baseline");
      Map<Long, Long> adaptive = starts.get("adaptive");
      for (Map.Entry<Long, Long> e : baseline.entrySet()) {
        double delay = ms.seconds(adaptive.get(e.getKey()) - e.getValue());
        if (delay > grace) {
          beyond.add(delay);
        }
      }
      // by whole backfill passes: k passes when the delay is k × bf_interval plus less than one
      TreeMap<Long, List<Double>> byPasses = new TreeMap<>();
      for (double delay : beyond) {
        byPasses
            .computeIfAbsent((long) Math.floor(delay / interval), k -> new ArrayList<>())
            .add(delay);
      }
      StringBuilder groups = new StringBuilder();
      for (Map.Entry<Long, List<Double>> g : byPasses.entrySet()) {
        List<Double> d = g.getValue();
        d.sort(null);
        groups.append(
            String.format(
                Locale.ROOT,
                "; %d by %d pass%s (%s to %s s)",
                d.size(),
                g.getKey(),
                g.getKey() == 1 ? "" : "es",
                TimeBase.format(d.get(0)),
                TimeBase.format(d.get(d.size() - 1))));
      }
      System.out.printf(
          Locale.ROOT,
          "  seed %s: %d jobs delayed beyond the grace time%s%n",
          seed == 0 ? "none (unspread)" : Long.toString(seed),
          beyond.size(),
          groups);
    }
  }

  private static SimulationListener startsInto(Map<String, Map<Long, Long>> starts, String label) {
    Map<Long, Long> byOrdinal = new ConcurrentHashMap<>();
    starts.put(label, byOrdinal);
    return new SimulationListener() {
      @Override
      public void jobStarted(JobSpec job, long time, int[] nodes) {
        byOrdinal.put(job.ordinal(), time);
      }
    };
  }
}
