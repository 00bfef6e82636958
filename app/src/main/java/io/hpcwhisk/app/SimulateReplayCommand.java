package io.hpcwhisk.app;

import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.ladder.Ladder;
import io.hpcwhisk.simulator.replay.ReplayMode;
import io.hpcwhisk.simulator.replay.ReplayRequest;
import io.hpcwhisk.simulator.replay.Replays;
import io.hpcwhisk.simulator.report.ReportTable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hpc-whisk simulate replay}: replays an idle-node log clairvoyantly with a ladder (the
 * paper's simulation) or online with a harvest policy, writes the report into {@code --out} and
 * prints it as a table.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Replay an HPC-Whisk idle-node log and report how much idle node-time pilots would cover.",
      "Clairvoyant (--ladder, the paper's simulation) or online (--policy, no knowledge of the"
          + " future).",
      "Writes report.json, timeline.csv, gap-lengths.csv, timeline.png and gap-cdf.png into --out."
    })
final class SimulateReplayCommand implements Runnable {

  @Mixin IdleLogOptions input;

  @Mixin ProgressOptions progress;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  static final class Mode {
    @Option(
        names = "--ladder",
        paramLabel = "LADDER",
        description =
            "Clairvoyant replay with a paper ladder (A1, A2, A3, B, C1, C2) or a list of minutes,"
                + " e.g. 2,4,8.")
    String ladder;

    @Option(
        names = "--policy",
        paramLabel = "NAME",
        description = "Online replay with a harvest policy from core (e.g. fib, var, adaptive).")
    String policy;
  }

  @Option(
      names = "--warmup-samples",
      defaultValue = "2",
      description = "Clairvoyant: samples of warm-up at the start of each pilot.")
  int warmupSamples;

  @Option(
      names = "--samples-per-minute",
      defaultValue = "6",
      description = "Clairvoyant: samples per ladder minute (the paper treats a sample as 10 s).")
  int samplesPerMinute;

  @Option(
      names = "--policy-param",
      paramLabel = "KEY=VALUE",
      description =
          "Online: a policy parameter, repeatable (e.g. pending-per-length=10, max-pending=16).")
  Map<String, String> policyParams = new LinkedHashMap<>();

  @Option(
      names = "--warmup-seconds",
      defaultValue = "20",
      description = "Online: seconds from a pilot's start to ready (HPC-Whisk measured ~20 s).")
  double warmupSeconds;

  @Option(
      names = "--grace-seconds",
      defaultValue = "30",
      description =
          "Online: Slurm GraceTime of a preempted pilot (worst-case delay of the batch job).")
  double graceSeconds;

  @Option(
      names = "--placement",
      defaultValue = "LOWEST_ID",
      description = "Online: which free node a starting pilot gets: ${COMPLETION-CANDIDATES}.")
  ReplayMode.Placement placement;

  @Option(
      names = "--window-start",
      paramLabel = "UNIX",
      description = "First unix second to replay (default: the log's first sample).")
  Long windowStart;

  @Option(
      names = "--window-end",
      paramLabel = "UNIX",
      description = "First unix second no longer replayed (default: after the log's last sample).")
  Long windowEnd;

  @Option(
      names = "--paper-window",
      description = "Use the paper's window [1647471600, 1647558000).")
  boolean paperWindow;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(names = "--no-plots", description = "Skip the PNG plots.")
  boolean noPlots;

  @Override
  public void run() {
    ReplayRequest request =
        new ReplayRequest(input.idleLog, window(), replayMode(), input.seed, out, !noPlots);
    Replays.Outcome outcome = Replays.run(request, progress.progress("replay"));
    System.out.print(ReportTable.render(outcome.result()));
    System.out.println("input: " + outcome.result().facts().summary().describe());
    System.out.println(
        "wrote " + String.join(", ", outcome.files().stream().map(Path::toString).toList()));
  }

  private ReplayMode replayMode() {
    if (mode.ladder != null) {
      return new ReplayMode.Clairvoyant(Ladder.parse(mode.ladder), warmupSamples, samplesPerMinute);
    }
    return new ReplayMode.Online(mode.policy, policyParams, warmupSeconds, graceSeconds, placement);
  }

  private SampleWindow window() {
    if (paperWindow) {
      if (windowStart != null || windowEnd != null) {
        throw new IllegalArgumentException(
            "--paper-window cannot be combined with --window-start/--window-end");
      }
      return SampleWindow.PAPER;
    }
    return new SampleWindow(
        windowStart == null ? Long.MIN_VALUE : windowStart,
        windowEnd == null ? Long.MAX_VALUE : windowEnd);
  }
}
