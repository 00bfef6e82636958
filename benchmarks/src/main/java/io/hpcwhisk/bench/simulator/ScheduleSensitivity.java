package io.hpcwhisk.bench.simulator;

import io.hpcwhisk.simulator.batch.Algorithm;
import io.hpcwhisk.simulator.batch.JobSources;
import io.hpcwhisk.simulator.batch.JobStats;
import io.hpcwhisk.simulator.batch.ScheduleRun;
import io.hpcwhisk.simulator.batch.SchedulerConfig;
import io.hpcwhisk.simulator.batch.Schedules;
import io.hpcwhisk.simulator.batch.TimeBase;
import io.hpcwhisk.simulator.batch.TraceSpread;
import io.hpcwhisk.simulator.swf.SwfHeader;
import io.hpcwhisk.simulator.swf.SwfReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * How far a batch schedule moves without any pilot when every job's nodes are handed on a little
 * later: the trace is simulated with no COMPLETING time and again with {@code s} seconds of it
 * after every job (real Slurm needs about a second for a job's end), and every job's start is
 * compared, as {@code simulate schedule} compares a run with pilots against its baseline. The jobs
 * "delayed beyond the grace time" here are caused by no harvester: they are the schedule's own
 * sensitivity to hand-over times, the yardstick for the knock-on delays of a run with pilots.
 *
 * <p>Usage: {@code java -cp hpc-whisk.jar io.hpcwhisk.bench.simulator.ScheduleSensitivity TRACE.swf
 * [--spread=SEED] [SECONDS ...]} (default 1 2 5), Slurm-style backfilling with the defaults of
 * {@code simulate schedule} (grace time 30 s). {@code --spread=SEED} spreads the trace's times
 * inside their seconds as {@code simulate schedule --spread} does (both runs of a pair get the same
 * spread trace) and counts milliseconds.
 */
public final class ScheduleSensitivity {

  private ScheduleSensitivity() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println(
          "usage: ScheduleSensitivity TRACE.swf [--spread=SEED] [COMPLETING_SECONDS ...] (default 1"
              + " 2 5)");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    boolean spreading = args.length > 1 && args[1].startsWith("--spread=");
    TraceSpread spread =
        spreading ? new TraceSpread(Long.parseLong(args[1].substring("--spread=".length()))) : null;
    int first = spreading ? 2 : 1;
    SwfHeader header = SwfReader.readHeader(file);
    int perNode = header.procsPerNode();
    int nodes = Schedules.clusterNodes(file, header, perNode);
    SchedulerConfig reference = SchedulerConfig.defaults(nodes, Algorithm.SLURM);
    String[] seconds =
        args.length > first
            ? Arrays.copyOfRange(args, first, args.length)
            : new String[] {"1", "2", "5"};
    System.out.printf(
        Locale.ROOT,
        "%s%s: %d nodes, Slurm-style backfilling, grace %d s, no pilots; every job's start "
            + "with COMPLETING time s against s = 0%n",
        file.getFileName(),
        spread == null ? "" : " spread with seed " + spread.seed(),
        nodes,
        reference.graceTime());
    for (String s : seconds) {
      double completing = Double.parseDouble(s);
      // milliseconds for a fraction of a second, and always for a spread trace
      TimeBase time = spread == null ? TimeBase.fitting(completing) : TimeBase.MILLIS;
      SchedulerConfig base = reference.in(time);
      SchedulerConfig perturbed = base.withCompleting(time.ticks(completing, "hand-over"));
      long t0 = System.nanoTime();
      JobStats.Summary summary =
          ScheduleRun.compareWithoutPilots(
              base, perturbed, () -> new JobSources(nodes, time, spread).swf(file, perNode));
      JobStats.Delays d = summary.delays();
      System.out.printf(
          Locale.ROOT,
          "  s = %s: %d jobs started later (%d beyond the grace time, max %s s, mean %.0f s),"
              + " %d earlier; mean wait %.0f s (%.1f s wall)%n",
          TimeBase.format(completing),
          d.delayed(),
          d.delayedBeyondGrace(),
          TimeBase.format(d.maxDelaySeconds()),
          d.meanDelaySeconds(),
          d.earlier(),
          summary.meanWait(),
          (System.nanoTime() - t0) / 1e9);
    }
  }
}
