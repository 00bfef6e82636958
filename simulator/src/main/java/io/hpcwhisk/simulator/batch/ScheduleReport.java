package io.hpcwhisk.simulator.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes what {@code simulate schedule} produced: {@code report.json} (settings, trace summary, the
 * baseline, and per policy its gain and its cost against the baseline), one {@code
 * timeline-<run>.png} per run, and the same figures as a text table. Field meanings are documented
 * in {@code docs/simulator-guide.md}.
 */
public final class ScheduleReport {

  public static final String REPORT = "report.json";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ScheduleReport() {}

  /**
   * Writes report.json and (unless {@code plots} is false) the timelines; returns the files
   * written.
   */
  public static List<Path> write(
      ScheduleRun.Outcome outcome,
      Map<String, Object> settings,
      Map<String, Object> extra,
      Path outDir,
      boolean plots) {
    try {
      Files.createDirectories(outDir);
      List<Path> files = new ArrayList<>();
      if (plots) {
        for (RunResult run : runs(outcome)) {
          Path png = outDir.resolve("timeline-" + run.label() + ".png");
          SchedulePlots.timeline(run, png);
          files.add(png);
        }
      }
      Path json = outDir.resolve(REPORT);
      files.add(0, json);
      MAPPER.writeValue(json.toFile(), toMap(outcome, settings, extra));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report into " + outDir, e);
    }
  }

  static List<RunResult> runs(ScheduleRun.Outcome outcome) {
    List<RunResult> runs = new ArrayList<>();
    runs.add(outcome.baseline());
    runs.addAll(outcome.withPilots());
    return runs;
  }

  public static Map<String, Object> toMap(
      ScheduleRun.Outcome outcome, Map<String, Object> settings, Map<String, Object> extra) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("settings", settings);
    Map<String, Object> trace = new LinkedHashMap<>();
    trace.put("source", outcome.traceSummary().source());
    trace.put("lines", outcome.traceSummary().lines());
    trace.put("jobs", outcome.jobs());
    trace.put("skipped", outcome.traceSummary().skipped());
    trace.put("adjusted", outcome.traceSummary().warnings());
    report.put("trace", trace);
    report.put("baseline", run(outcome.baseline(), null));
    List<Map<String, Object>> policies = new ArrayList<>();
    for (RunResult r : outcome.withPilots()) {
      policies.add(run(r, outcome.baseline()));
    }
    report.put("policies", policies);
    if (outcome.yardstick() != null) {
      report.put("yardstick", yardstick(outcome.yardstick(), outcome.baseline()));
    }
    report.putAll(extra);
    report.put(
        "notes",
        List.of(
            "shares are fractions of idle node-time (node-time without a batch job) from the first"
                + " submit to the last end",
            "delays compare each job's start with the same job's start in the baseline run without"
                + " pilots; they include knock-on effects (a job delayed by a hand-over ends later,"
                + " so later jobs shift too)",
            "handoverShare: idle node-time in which a preempted pilot was leaving and the batch job"
                + " waited for it",
            "yardstick: the trace without pilots, every job's nodes handed on handoverSeconds (the"
                + " drain time) later, compared with the baseline as the policies are: the"
                + " schedule's own sensitivity to hand-over times"));
    return report;
  }

  private static Map<String, Object> run(RunResult r, RunResult baseline) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run", r.label());
    IdleAccount.Figures idle = r.idle();
    m.put("readyShare", idle.readyShare());
    m.put("warmupShare", idle.warmupShare());
    m.put("unusedShare", idle.unusedShare());
    m.put("handoverShare", idle.handoverShare());
    m.put("idleShare", idle.idleShare());
    m.put("idleNodeHours", idle.idleNodeSeconds() / 3600);
    m.put("spanSeconds", seconds(idle.spanSeconds()));
    m.putAll(r.pilots());
    JobStats.Summary j = r.jobs();
    m.put("jobs", j.jobs());
    m.put("meanWaitSeconds", j.meanWait());
    m.put("p95WaitSeconds", seconds(j.p95Wait()));
    m.put("meanBoundedSlowdown", j.meanBoundedSlowdown());
    m.put("p95BoundedSlowdown", j.p95BoundedSlowdown());
    if (baseline != null) {
      JobStats.Summary b = baseline.jobs();
      Map<String, Object> cost = new LinkedHashMap<>();
      cost.put("meanWaitChangeSeconds", j.meanWait() - b.meanWait());
      cost.put("p95WaitChangeSeconds", seconds(j.p95Wait() - b.p95Wait()));
      cost.put("meanBoundedSlowdownChange", j.meanBoundedSlowdown() - b.meanBoundedSlowdown());
      cost.put("p95BoundedSlowdownChange", j.p95BoundedSlowdown() - b.p95BoundedSlowdown());
      JobStats.Delays d = j.delays();
      cost.put("jobsDelayed", d.delayed());
      cost.put("jobsDelayedBeyondGrace", d.delayedBeyondGrace());
      cost.put("jobsWaitedForPilots", d.waitedForPilots());
      cost.put("jobsStartedEarlier", d.earlier());
      cost.put("maxDelaySeconds", seconds(d.maxDelaySeconds()));
      cost.put("meanDelaySeconds", d.meanDelaySeconds());
      cost.put("p95DelaySeconds", seconds(d.p95DelaySeconds()));
      cost.put("direct", kind(d.direct()));
      cost.put("knockOn", kind(d.knockOn()));
      cost.put("knockOnBeyondGrace", d.knockOn().beyondGrace());
      m.put("cost", cost);
    }
    if (!r.faas().isEmpty()) {
      m.put("faas", r.faas());
    }
    m.put("wallSeconds", r.wallSeconds());
    return m;
  }

  private static Map<String, Object> yardstick(ScheduleRun.Yardstick y, RunResult baseline) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("handoverSeconds", seconds(y.handoverSeconds()));
    JobStats.Summary j = y.run().jobs();
    JobStats.Delays d = j.delays();
    m.put("meanWaitChangeSeconds", j.meanWait() - baseline.jobs().meanWait());
    m.put("p95WaitChangeSeconds", seconds(j.p95Wait() - baseline.jobs().p95Wait()));
    m.put("jobsDelayed", d.delayed());
    m.put("jobsDelayedBeyondGrace", d.delayedBeyondGrace());
    m.put("beyondGrace", d.delayedBeyondGrace());
    m.put("jobsStartedEarlier", d.earlier());
    m.put("maxDelaySeconds", seconds(d.maxDelaySeconds()));
    m.put("meanDelaySeconds", d.meanDelaySeconds());
    m.put("p95DelaySeconds", seconds(d.p95DelaySeconds()));
    m.put("wallSeconds", y.run().wallSeconds());
    return m;
  }

  /**
   * One line on the yardstick: what the same hand-over on every job does to the schedule with no
   * pilots.
   */
  static String yardstickLine(ScheduleRun.Yardstick y) {
    JobStats.Delays d = y.run().jobs().delays();
    return String.format(
        Locale.ROOT,
        "yardstick no pilots, every job's nodes handed on %s s later: %d delayed, %d "
            + "beyond grace (max %s s), %d started earlier; compare the knock-on delays above%n",
        TimeBase.format(y.handoverSeconds()),
        d.delayed(),
        d.delayedBeyondGrace(),
        TimeBase.format(d.maxDelaySeconds()),
        d.earlier());
  }

  private static Map<String, Object> kind(JobStats.Kind k) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jobsDelayed", k.jobs());
    m.put("jobsDelayedBeyondGrace", k.beyondGrace());
    m.put("maxDelaySeconds", seconds(k.maxDelaySeconds()));
    m.put("jobsWaitedForPilots", k.waitedForPilots());
    return m;
  }

  /** One line on the kinds of delay of a run against its baseline. */
  static String delayLine(String label, JobStats.Delays d) {
    JobStats.Kind direct = d.direct();
    JobStats.Kind knockOn = d.knockOn();
    return String.format(
        Locale.ROOT,
        "delays %-9s %d delayed: %d direct (waited for their own pilots: max %s s, %d beyond"
            + " grace), %d knock-on (moved by earlier jobs: max %s s, %d beyond grace; %d of them"
            + " also waited for pilots); %d started earlier%n",
        label,
        d.delayed(),
        direct.jobs(),
        TimeBase.format(direct.maxDelaySeconds()),
        direct.beyondGrace(),
        knockOn.jobs(),
        TimeBase.format(knockOn.maxDelaySeconds()),
        knockOn.beyondGrace(),
        knockOn.waitedForPilots(),
        d.earlier());
  }

  /**
   * The knock-on goal of issue 28: knock-on delays beyond the grace time at most 1.5 × the
   * yardstick's (the same hand-over on every job without pilots).
   */
  static String goalLine(String label, long knockOnBeyondGrace, long yardstickBeyondGrace) {
    double limit = 1.5 * yardstickBeyondGrace;
    return String.format(
        Locale.ROOT,
        "goal %-9s knock-on beyond grace %d against 1.5 × yardstick %d = %s: %s%n",
        label,
        knockOnBeyondGrace,
        yardstickBeyondGrace,
        TimeBase.format(limit),
        knockOnBeyondGrace <= limit ? "met" : "not met");
  }

  /** The figures as a text table, one row per run. */
  public static String table(ScheduleRun.Outcome outcome) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-9s %7s %7s %7s %7s %8s %8s %8s %10s %10s %8s %8s %8s %8s %9s %7s%n",
            "run",
            "ready",
            "warmup",
            "unused",
            "handovr",
            "pilots",
            "preempt",
            "timeout",
            "mean wait",
            "p95 wait",
            "mean bsld",
            "p95 bsld",
            "delayed",
            ">grace",
            "max delay",
            "wall s"));
    for (RunResult r : runs(outcome)) {
      JobStats.Summary j = r.jobs();
      JobStats.Delays d = j.delays();
      out.append(
          String.format(
              Locale.ROOT,
              "%-9s %6.2f%% %6.2f%% %6.2f%% %6.2f%% %8s %8s %8s %10.0f %10s %8.2f %8.2f %8s %8s %9s"
                  + " %7.1f%n",
              r.label(),
              100 * r.idle().readyShare(),
              100 * r.idle().warmupShare(),
              100 * r.idle().unusedShare(),
              100 * r.idle().handoverShare(),
              r.pilots().getOrDefault("pilotsStarted", "-"),
              r.pilots().getOrDefault("pilotsPreempted", "-"),
              r.pilots().getOrDefault("pilotsTimedOut", "-"),
              j.meanWait(),
              TimeBase.format(j.p95Wait()),
              j.meanBoundedSlowdown(),
              j.p95BoundedSlowdown(),
              d == null ? "-" : Long.toString(d.delayed()),
              d == null ? "-" : Long.toString(d.delayedBeyondGrace()),
              d == null ? "-" : TimeBase.format(d.maxDelaySeconds()) + " s",
              r.wallSeconds()));
    }
    for (RunResult r : outcome.withPilots()) {
      if (r.jobs().delays() != null) {
        out.append(delayLine(r.label(), r.jobs().delays()));
      }
    }
    if (outcome.yardstick() != null) {
      out.append(yardstickLine(outcome.yardstick()));
      long yard = outcome.yardstick().run().jobs().delays().delayedBeyondGrace();
      for (RunResult r : outcome.withPilots()) {
        if (r.jobs().delays() != null) {
          out.append(goalLine(r.label(), r.jobs().delays().knockOn().beyondGrace(), yard));
        }
      }
    }
    for (RunResult r : outcome.withPilots()) {
      if (!r.faas().isEmpty()) {
        Map<String, Object> f = r.faas();
        out.append(
            String.format(
                Locale.ROOT,
                "faas %-9s %s arrivals: %.2f%% succeeded, %s queued, %s timed out, "
                    + "%s re-dispatched, %s failed; latency p50 %s ms, p90 %s ms, p99 %s ms%n",
                r.label(),
                f.get("arrivals"),
                100 * (double) f.get("successShare"),
                f.get("queued"),
                f.get("timedOut"),
                f.get("redispatched"),
                f.get("failed"),
                f.get("p50LatencyMs"),
                f.get("p90LatencyMs"),
                f.get("p99LatencyMs")));
      }
    }
    return out.toString();
  }

  /**
   * Seconds for report.json, to the millisecond (the finest tick): a whole number stays an integer
   * ({@code 16}), a fraction a decimal ({@code 0.4}, not {@code 9.216000000000349} from subtracting
   * two percentiles).
   */
  static Number seconds(double value) {
    double ms = Math.rint(value * 1000) / 1000;
    return ms == Math.rint(ms) && Math.abs(ms) < 1e15 ? (Number) (long) ms : (Number) ms;
  }
}
