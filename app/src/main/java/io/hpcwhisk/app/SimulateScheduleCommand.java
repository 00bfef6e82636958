package io.hpcwhisk.app;

import io.hpcwhisk.simulator.batch.Algorithm;
import io.hpcwhisk.simulator.batch.ScheduleReport;
import io.hpcwhisk.simulator.batch.ScheduleRequest;
import io.hpcwhisk.simulator.batch.SchedulerConfig;
import io.hpcwhisk.simulator.batch.Schedules;
import io.hpcwhisk.simulator.batch.TimeBase;
import io.hpcwhisk.simulator.batch.TraceSpread;
import io.hpcwhisk.simulator.faas.FaasSettings;
import io.hpcwhisk.simulator.site.SiteSettings;
import io.hpcwhisk.simulator.site.SlurmConf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hpc-whisk simulate schedule}: replays a job trace through a Slurm-like scheduler with and
 * without pilots and reports the gain (idle node-time harvested) next to the cost (batch jobs
 * delayed).
 */
@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Simulate a Slurm-like cluster (EASY or Slurm-style backfilling) running a job trace, with"
          + " pilots submitted by the production harvest policies, against the same trace without"
          + " pilots.",
      "Prints per policy the gain (idle node-time ready / warming up / unused; pilots) and the cost"
          + " to batch jobs (wait, bounded slowdown, delays); writes report.json and"
          + " timeline-<run>.png into --out.",
      "With a drain time, also runs the yardstick: the trace without pilots, every job's nodes"
          + " handed on the drain time later, to read the pilots' knock-on delays against the"
          + " schedule's own sensitivity."
    })
final class SimulateScheduleCommand implements Runnable {

  private static long pick(Long explicit, OptionalLong site, long fallback) {
    return explicit != null
        ? explicit
        : site != null && site.isPresent() ? site.getAsLong() : fallback;
  }

  /**
   * {@code config/site-profiles} of the installation ($HPC_WHISK_HOME, else the working directory
   * or its parent).
   */
  private static Path siteProfiles() {
    String home = System.getenv("HPC_WHISK_HOME");
    Path cwd = Path.of("").toAbsolutePath();
    for (Path base :
        home != null
            ? List.of(Path.of(home))
            : List.of(cwd, cwd.getParent() == null ? cwd : cwd.getParent())) {
      Path dir = base.resolve("config/site-profiles");
      if (Files.isDirectory(dir)) {
        return dir;
      }
    }
    return (home != null ? Path.of(home) : cwd).resolve("config/site-profiles");
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Trace trace;

  static final class Trace {
    @Option(names = "--swf", paramLabel = "FILE", description = "SWF v2.2 trace (plain or gzip).")
    Path swf;

    @Option(
        names = "--sacct",
        paramLabel = "FILE",
        description = "sacct -P dump (times read as UTC).")
    Path sacct;

    @Option(
        names = "--synthetic",
        paramLabel = "SPEC",
        description = "Synthetic trace, e.g. jobs=1000000,seed=1,load=0.8,maxnodes=64.")
    String synthetic;
  }

  @Option(
      names = "--nodes",
      defaultValue = "0",
      description =
          "Cluster nodes (0: from the SWF header MaxProcs / procs-per-node, else a companion"
              + " NAME.machines file (one machine per line), else the trace's largest job; 2000 for"
              + " synthetic).")
  int nodes;

  @Option(
      names = "--procs-per-node",
      defaultValue = "0",
      description = "SWF processors per node (0: MaxProcs / MaxNodes from the header, else 1).")
  int procsPerNode;

  @Option(
      names = "--scheduler",
      defaultValue = "slurm",
      description = "easy or slurm (sched/backfill).")
  String scheduler;

  @Option(
      names = "--bf-max-job-test",
      description =
          "Jobs planned per backfill pass (Slurm bf_max_job_test; default: the site's, else "
              + SchedulerConfig.DEFAULT_BF_MAX_JOB_TEST
              + ").")
  Integer bfMaxJobTestOption;

  @Option(
      names = "--bf-window",
      description = "Planning horizon in minutes (bf_window; default: the site's, else 1440).")
  Long bfWindowOption;

  @Option(
      names = "--bf-resolution",
      description = "Plan granularity in seconds (bf_resolution; default: the site's, else 60).")
  Long bfResolutionOption;

  @Option(
      names = "--bf-interval",
      description = "Seconds between backfill passes (bf_interval; default: the site's, else 30).")
  Long bfIntervalOption;

  @Option(
      names = "--grace-seconds",
      description =
          "GraceTime of the harvest partition (default: the site's GraceTime, else its KillWait"
              + " under PreemptMode=CANCEL, else 30).")
  Long graceOption;

  @ArgGroup(exclusive = true)
  Site site;

  static final class Site {
    @Option(
        names = "--site-profile",
        paramLabel = "NAME",
        description =
            "Slurm settings of a site from config/site-profiles/NAME.conf: hpcwhisk-paper (the"
                + " HPC-Whisk paper's cluster: bf_interval 120 s, bf_window 180 min, bf_resolution"
                + " 120 s, KillWait 180 s with PreemptMode=CANCEL) or slurm-defaults. Options given"
                + " explicitly win.")
    String profile;

    @Option(
        names = "--slurm-conf",
        paramLabel = "FILE",
        description =
            "Slurm settings read from a real slurm.conf (SchedulerParameters bf_*, KillWait,"
                + " PreemptMode, GraceTime of the partition named 'whisk', else the largest)."
                + " Options given explicitly win.")
    Path slurmConf;
  }

  int bfMaxJobTest;
  long bfWindowMinutes;
  long bfResolution;
  long bfInterval;
  long grace;

  @Option(
      names = "--drain-seconds",
      paramLabel = "S",
      description =
          "Seconds a preempted pilot takes to leave, to the millisecond (default: the grace time,"
              + " the worst case; an idle pilot of config/pilot.sbatch leaves in 0.2-0.7 s,"
              + " docs/benchmarks.md). A fraction of a second makes the whole run count"
              + " milliseconds.")
  Double drain;

  @Option(
      names = "--completing-seconds",
      defaultValue = "0",
      description =
          "Seconds an ended job's nodes stay COMPLETING before reuse, to the millisecond (real"
              + " Slurm: under a second). A fraction of a second makes the whole run count"
              + " milliseconds.")
  double completing;

  @Option(
      names = "--spread",
      arity = "0..1",
      fallbackValue = "1",
      paramLabel = "SEED",
      description =
          "Spread each job's submit and run time inside the trace's whole second (seeded; the same"
              + " for the baseline, the yardstick and every policy), so that ties made by the"
              + " trace's resolution, such as a job ending exactly at a backfill pass, do not"
              + " decide the schedule; makes the run count milliseconds. --spread alone uses seed"
              + " 1. Default: times as recorded.")
  Long spread;

  @Option(
      names = "--policy",
      defaultValue = "fib,var,adaptive",
      split = ",",
      description =
          "Harvest policies to compare (each against the same baseline); 'none' for the baseline"
              + " only.")
  List<String> policies = new ArrayList<>();

  @Option(
      names = "--policy-param",
      paramLabel = "POLICY.KEY=VALUE",
      description =
          "A policy parameter, repeatable, e.g. adaptive.pool=4 or fib.pending-per-length=10.")
  Map<String, String> policyParams = new LinkedHashMap<>();

  @Option(
      names = "--hold-freed-nodes",
      description =
          "For every policy: no pilot starts on a node a batch job gave back while batch jobs are"
              + " pending until the next backfill pass (bf_interval) has had its chance to place"
              + " one there (core's FreedNodeHold; harvest.hold-freed-nodes live). Fewer knock-on"
              + " delays beyond the grace time, a little less held.")
  boolean holdFreedNodes;

  @Option(
      names = "--hold-reserved-nodes",
      description =
          "For every policy: no pilot starts on a free node that a pending batch job's"
              + " reservation holds (core's ReservedNodeHold): the reserved job usually starts"
              + " long before its planned start and would wait a hand-over. Fewer knock-on delays"
              + " beyond the grace time, noticeably less held (see --reserved-hold-horizon).")
  boolean holdReservedNodes;

  @Option(
      names = "--reserved-hold-horizon",
      defaultValue = "0",
      paramLabel = "SECONDS",
      description =
          "With --hold-reserved-nodes: hold only reservations planned at most SECONDS ahead;"
              + " 0 (default): every reservation.")
  long reservedHorizon;

  @Option(
      names = "--short-windows",
      description =
          "For every policy: a pilot may enter an idle window shorter than its shortest time"
              + " limit (down to 5 s) when the hand-over (--drain-seconds) is at most 1 s and 10 %%"
              + " of the window; the batch job at the window's end preempts it (core's"
              + " ShortWindowEntry).")
  boolean shortWindows;

  @Option(
      names = "--controller-interval",
      defaultValue = "15",
      description = "Seconds between controller passes.")
  long controllerInterval;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "20",
      description = "Seconds from pilot start to ready.")
  long warmup;

  @Option(
      names = "--sample-seconds",
      defaultValue = "600",
      description = "Seconds between timeline samples.")
  long sampleSeconds;

  @Option(
      names = "--invocations",
      paramLabel = "SPEC",
      description =
          "FaaS activations routed to the pilots:"
              + " synthetic:rate=1,actions=50,duration=1000,memory=256,seed=1 or"
              + " azure:INVOCATIONS.csv[,durations=DURATIONS.csv][,sample=P][,seed=S] (Azure"
              + " Functions 2019).")
  String invocations;

  @Option(
      names = "--pilot-memory-mb",
      defaultValue = "4096",
      description = "FaaS: memory each pilot offers.")
  int pilotMemoryMb;

  @Option(
      names = "--cold-start-ms",
      defaultValue = "500",
      description = "FaaS: extra time without a warm runtime.")
  long coldStartMs;

  @Option(
      names = "--queue-timeout-ms",
      defaultValue = "60000",
      description = "FaaS: how long an activation waits for a pilot before it times out.")
  long queueTimeoutMs;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (none: print only).")
  Path out;

  @Option(names = "--no-plots", description = "Skip the PNG timelines.")
  boolean noPlots;

  @Option(
      names = "--bench",
      description = "Also print speed: jobs/s, simulated time per wall second, peak heap.")
  boolean bench;

  @Mixin ProgressOptions progress;

  @Override
  public void run() {
    SiteSettings settings =
        site == null
            ? null
            : site.profile != null
                ? SlurmConf.profile(siteProfiles(), site.profile)
                : SlurmConf.read(site.slurmConf, "whisk");
    bfMaxJobTest =
        bfMaxJobTestOption != null
            ? bfMaxJobTestOption
            : settings != null && settings.bfMaxJobTest().isPresent()
                ? (int) settings.bfMaxJobTest().getAsLong()
                : SchedulerConfig.DEFAULT_BF_MAX_JOB_TEST;
    bfWindowMinutes =
        pick(bfWindowOption, settings == null ? null : settings.bfWindowMinutes(), 1440);
    bfResolution = pick(bfResolutionOption, settings == null ? null : settings.bfResolution(), 60);
    bfInterval = pick(bfIntervalOption, settings == null ? null : settings.bfInterval(), 30);
    grace = pick(graceOption, settings == null ? null : settings.graceSeconds(), 30);
    String traceSpec =
        trace.swf != null
            ? "swf:" + trace.swf
            : trace.sacct != null ? "sacct:" + trace.sacct : "synthetic:" + trace.synthetic;
    Algorithm algorithm =
        switch (scheduler.toLowerCase(Locale.ROOT)) {
          case "easy" -> Algorithm.EASY;
          case "slurm" -> Algorithm.SLURM;
          default ->
              throw new IllegalArgumentException(
                  "--scheduler '" + scheduler + "': expected easy or slurm");
        };
    double drainSeconds = drain == null ? grace : drain;
    // whole seconds, the traces' resolution, unless the drain or completing time has a fraction of
    // one or the trace's
    // times are spread inside their seconds
    TimeBase time = spread != null ? TimeBase.MILLIS : TimeBase.fitting(drainSeconds, completing);
    SchedulerConfig config =
        new SchedulerConfig(
            1,
            algorithm,
            bfMaxJobTest,
            time.ticks(bfWindowMinutes * 60),
            time.ticks(bfResolution),
            time.ticks(bfInterval),
            time.ticks(grace),
            time.ticks(drainSeconds, "--drain-seconds"),
            time.ticks(completing, "--completing-seconds"),
            time);
    List<String> names = policies.stream().filter(p -> !p.equals("none")).toList();
    Map<String, Map<String, String>> params = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : policyParams.entrySet()) {
      int dot = e.getKey().indexOf('.');
      if (dot <= 0) {
        throw new IllegalArgumentException(
            "--policy-param '" + e.getKey() + "': expected POLICY.KEY=VALUE");
      }
      params
          .computeIfAbsent(e.getKey().substring(0, dot), k -> new LinkedHashMap<>())
          .put(e.getKey().substring(dot + 1), e.getValue());
    }
    ScheduleRequest request =
        new ScheduleRequest(
            traceSpec,
            nodes,
            procsPerNode,
            config,
            names,
            params,
            controllerInterval,
            warmup,
            sampleSeconds,
            out,
            !noPlots,
            invocations == null
                ? null
                : new FaasSettings(invocations, pilotMemoryMb, coldStartMs, queueTimeoutMs, 60_000),
            spread == null ? null : new TraceSpread(spread),
            holdFreedNodes,
            holdReservedNodes,
            reservedHorizon,
            shortWindows);
    Schedules.Result result =
        Schedules.run(request, progress.progress("schedule " + (names.size() + 1) + " runs"));
    if (settings != null) {
      System.out.println(settings.describe());
    }
    System.out.println(result.outcome().traceSummary().describe());
    System.out.println(
        result.nodes()
            + " nodes ("
            + result.nodesFrom()
            + "), "
            + result.outcome().jobs()
            + " jobs, scheduler "
            + scheduler
            + (spread == null ? "" : ", times spread inside their seconds (seed " + spread + ")")
            + (holdFreedNodes ? ", freed nodes held for one backfill pass" : "")
            + (holdReservedNodes
                ? ", reserved nodes held"
                    + (reservedHorizon == 0 ? "" : " within " + reservedHorizon + " s")
                : "")
            + (shortWindows ? ", short windows entered" : ""));
    if (spread == null && time.equals(TimeBase.MILLIS)) {
      System.out.println(
          "note: counting milliseconds with the trace's whole-second times: a job ending exactly at"
              + " a backfill pass misses it after any sub-second hand-over, which inflates knock-on"
              + " delays; --spread removes those ties (docs/simulator-guide.md, \"Whole-second"
              + " ties\")");
    }
    System.out.print(ScheduleReport.table(result.outcome()));
    if (bench) {
      System.out.println("speed: " + result.speed());
    }
    if (!result.files().isEmpty()) {
      System.out.println(
          "wrote " + String.join(", ", result.files().stream().map(Path::toString).toList()));
    }
  }
}
