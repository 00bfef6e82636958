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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the knock-on delays beyond the grace time of a run with the freed-node hold come from: for
 * each batch job that starts more than the grace time later than in its baseline, the chain of jobs
 * that held its baseline nodes longer than in the baseline, back to the first one that waited for
 * pilots (the root preemptor), and the pilots that job preempted — when each was placed, whether in
 * a reserved window or on an open node, and how long before its own end it was preempted. When none
 * of its baseline nodes was held longer, the chain follows the job whose end let it start in the
 * run; a chain that ends at a job that was not delayed (it started earlier, or on other nodes) is a
 * flipped backfill decision. A job is counted under its chain's root.
 *
 * <p>Usage: {@code java -cp hpc-whisk.jar io.hpcwhisk.bench.simulator.KnockOnCauses TRACE.swf
 * DRAIN_SECONDS SEED} — {@code adaptive} with {@code --hold-freed-nodes}, Slurm-style backfilling
 * with the defaults of {@code simulate schedule} (grace time 30 s), counted in milliseconds, the
 * trace spread with SEED (as {@code --spread SEED}). One line per job delayed beyond the grace
 * time, then the count by root cause.
 */
public final class KnockOnCauses {

  private static final String USAGE =
      "KnockOnCauses TRACE.swf DRAIN_SECONDS SEED: for each batch job that adaptive with"
          + " --hold-freed-nodes (Slurm-style backfilling, defaults of simulate schedule, trace"
          + " spread with SEED) starts more than the grace time later than its baseline, the chain"
          + " of delayed jobs back to the pilots whose preemption started it, or to a flipped"
          + " backfill decision";

  private KnockOnCauses() {}

  /** What one run recorded, by job ordinal and pilot id (ticks). */
  static final class Record implements SimulationListener {
    final Map<Long, Long> start = new ConcurrentHashMap<>();
    final Map<Long, Long> end = new ConcurrentHashMap<>();
    final Map<Long, int[]> nodes = new ConcurrentHashMap<>();
    final Map<Long, JobSpec> specs = new ConcurrentHashMap<>();
    long firstSubmit = Long.MAX_VALUE;
    final Map<String, long[]> pilots = new HashMap<>(); // start, limit, windowEnd, node
    final Map<Integer, List<Object[]>> preempted = new HashMap<>(); // node -> {time, pilotId}

    @Override
    public void jobStarted(JobSpec job, long time, int[] n) {
      start.put(job.ordinal(), time);
      specs.put(job.ordinal(), job);
      firstSubmit = Math.min(firstSubmit, job.submit());
      nodes.put(job.ordinal(), n.clone());
    }

    @Override
    public void jobEnded(JobSpec job, long time, int[] n) {
      end.put(job.ordinal(), time);
    }

    @Override
    public void pilotStarted(
        String pilotId, int node, long time, long limit, long readyAt, long windowEnd) {
      pilots.put(pilotId, new long[] {time, limit, windowEnd, node});
    }

    @Override
    public void pilotStopping(String pilotId, int node, long time, boolean isPreempted) {
      if (isPreempted) {
        preempted.computeIfAbsent(node, k -> new ArrayList<>()).add(new Object[] {time, pilotId});
      }
    }
  }

  public static void main(String[] args) {
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(USAGE);
      return;
    }
    if (args.length != 3) {
      System.err.println("usage: " + USAGE);
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    double drainSeconds = Double.parseDouble(args[1]);
    long seed = Long.parseLong(args[2]);
    SwfHeader header = SwfReader.readHeader(file);
    int perNode = header.procsPerNode();
    int count = Schedules.clusterNodes(file, header, perNode);
    TimeBase ms = TimeBase.MILLIS;
    SchedulerConfig config =
        SchedulerConfig.defaults(count, Algorithm.SLURM)
            .in(ms)
            .withDrain(ms.ticks(drainSeconds, "drain"));
    long grace = config.graceTime();
    long drain = config.drainTime();
    long interval = config.bfInterval();
    SimHarvestConfig harvest = new SimHarvestConfig("adaptive", Map.of(), 15, 20, true, true);
    Map<String, Record> records = new ConcurrentHashMap<>();
    TraceSpread spread = new TraceSpread(seed);
    ScheduleRun.run(
        config,
        () -> new JobSources(count, ms, spread).swf(file, perNode),
        List.of(harvest),
        600,
        label -> records.computeIfAbsent(label, k -> new Record()));
    Record base = records.get("baseline");
    Record run = records.get("adaptive");
    // jobs by node in the run, by start time, for chain tracing
    Map<Integer, TreeMap<Long, Long>> runJobsOnNode = new HashMap<>();
    for (Map.Entry<Long, int[]> e : run.nodes.entrySet()) {
      for (int n : e.getValue()) {
        runJobsOnNode
            .computeIfAbsent(n, k -> new TreeMap<>())
            .put(run.start.get(e.getKey()), e.getKey());
      }
    }
    Map<String, Integer> byCause = new TreeMap<>();
    int beyond = 0;
    for (Map.Entry<Long, Long> e : base.start.entrySet()) {
      long job = e.getKey();
      long b = e.getValue();
      long h = run.start.get(job);
      if (h - b <= grace) {
        continue;
      }
      beyond++;
      StringBuilder line = new StringBuilder();
      line.append(
          String.format(Locale.ROOT, "job %d: +%s s", job, TimeBase.format(ms.seconds(h - b))));
      String cause = trace(job, base, run, drain, interval, ms, line, new HashSet<>(), 0);
      byCause.merge(cause, 1, Integer::sum);
      System.out.println(line);
    }
    System.out.printf(
        Locale.ROOT, "seed %d: %d beyond grace; by root cause: %s%n", seed, beyond, byCause);
  }

  /**
   * Follows the jobs that kept {@code job}'s baseline nodes busy past its baseline start in the
   * run, back to a job that waited for pilots. Returns the root cause's class.
   */
  private static String trace(
      long job,
      Record base,
      Record run,
      long drain,
      long interval,
      TimeBase ms,
      StringBuilder line,
      Set<Long> seen,
      int depth) {
    long b = base.start.get(job);
    long h = run.start.get(job);
    int[] runNodes = run.nodes.get(job);
    // did the job itself wait for pilots in the run?
    List<String> mine = preemptedFor(run, runNodes, h - drain);
    if (depth > 0 && !mine.isEmpty() && h - b <= drain) {
      return root(job, base, run, drain, interval, ms, line, mine);
    }
    if (depth > 12 || !seen.add(job)) {
      line.append(" <- (deep)");
      return "deep chain";
    }
    // blockers: jobs on its baseline nodes that, in the run, were still running at its baseline
    // start though they had ended by then in the baseline
    long blocker = -1;
    long latest = Long.MIN_VALUE;
    for (int n : base.nodes.get(job)) {
      for (Map.Entry<Long, int[]> o : base.nodes.entrySet()) {
        // cheap enough for the few jobs listed
        if (o.getKey() == job || !contains(o.getValue(), n)) {
          continue;
        }
        Long be = base.end.get(o.getKey());
        Long re = run.end.get(o.getKey());
        if (be == null || re == null || be > b || re <= be || re <= b - interval) {
          continue;
        }
        if (re - be > 0 && be > latest) {
          latest = be;
          blocker = o.getKey();
        }
      }
    }
    if (blocker < 0) {
      if (!mine.isEmpty()) {
        return root(job, base, run, drain, interval, ms, line, mine);
      }
      // the job whose end let it start in the run: on its run nodes, the last to end by then
      long enabler = -1;
      long enablerEnd = Long.MIN_VALUE;
      for (Map.Entry<Long, int[]> o : run.nodes.entrySet()) {
        Long oe = run.end.get(o.getKey());
        if (o.getKey() == job || oe == null || oe > h || oe <= enablerEnd) {
          continue;
        }
        for (int n : runNodes) {
          if (contains(o.getValue(), n)) {
            enabler = o.getKey();
            enablerEnd = oe;
            break;
          }
        }
      }
      if (enabler >= 0 && enablerEnd > b && run.start.get(enabler) > base.start.get(enabler)) {
        line.append(
            String.format(
                Locale.ROOT,
                " <- its run nodes held by job %d (started %s s later than in the baseline, ended"
                    + " %s s before this start)",
                enabler,
                TimeBase.format(ms.seconds(run.start.get(enabler) - base.start.get(enabler))),
                TimeBase.format(ms.seconds(h - enablerEnd))));
        return trace(enabler, base, run, drain, interval, ms, line, seen, depth + 1);
      }
      line.append(
          enabler >= 0 && enablerEnd > b
              ? String.format(
                  Locale.ROOT,
                  " <- its run nodes held by job %d, not delayed (started %s s after it in the"
                      + " baseline): a flipped decision",
                  enabler,
                  TimeBase.format(ms.seconds(run.start.get(enabler) - b)))
              : " <- its nodes were free at its baseline start: a flipped decision");
      return "flip";
    }
    line.append(
        String.format(
            Locale.ROOT,
            " <- job %d ended %s s later (base end %s s before this start)",
            blocker,
            TimeBase.format(ms.seconds(run.end.get(blocker) - base.end.get(blocker))),
            TimeBase.format(ms.seconds(b - base.end.get(blocker)))));
    return trace(blocker, base, run, drain, interval, ms, line, seen, depth + 1);
  }

  private static String root(
      long job,
      Record base,
      Record run,
      long drain,
      long interval,
      TimeBase ms,
      StringBuilder line,
      List<String> pilots) {
    long h = run.start.get(job);
    long b = base.start.get(job);
    String cls = "?";
    JobSpec spec = run.specs.get(job);
    long sinceGrid = Math.floorMod(b - base.firstSubmit, interval);
    boolean atLimit = spec.requestedTime() - spec.runTime() < ms.ticks(1);
    line.append(
        String.format(
            Locale.ROOT,
            " <- ROOT job %d: base start %s s after a pass, run %s s of %s s requested%s",
            job,
            TimeBase.format(ms.seconds(sinceGrid)),
            TimeBase.format(ms.seconds(spec.runTime())),
            TimeBase.format(ms.seconds(spec.requestedTime())),
            atLimit ? " (ran to its limit)" : ""));
    for (String id : pilots) {
      long[] p = run.pilots.get(id);
      long placed = p[0];
      long limit = p[1];
      long windowEnd = p[2];
      long stop = h - drain;
      boolean reservedWindow = windowEnd != Long.MAX_VALUE;
      line.append(
          String.format(
              Locale.ROOT,
              "; pilot %s placed %s s"
                  + " before the preemption, window %s, preempted %s s before its own end",
              id,
              TimeBase.format(ms.seconds(stop - placed)),
              reservedWindow
                  ? "ending " + TimeBase.format(ms.seconds(windowEnd - stop)) + " s after it"
                  : "open",
              TimeBase.format(ms.seconds(placed + limit - stop))));
      cls =
          (reservedWindow ? "reserved window" : "open node")
              + (sinceGrid == 0 ? ", at a pass" : ", between passes")
              + (atLimit ? ", ran to its limit" : "");
    }
    return cls;
  }

  private static List<String> preemptedFor(Record run, int[] nodes, long at) {
    List<String> out = new ArrayList<>();
    for (int n : nodes) {
      for (Object[] p : run.preempted.getOrDefault(n, List.of())) {
        if ((long) p[0] == at) {
          out.add((String) p[1]);
        }
      }
    }
    return out;
  }

  private static boolean contains(int[] a, int v) {
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }
}
