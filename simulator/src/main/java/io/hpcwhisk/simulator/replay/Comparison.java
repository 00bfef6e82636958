package io.hpcwhisk.simulator.replay;

import io.hpcwhisk.simulator.availability.Progress;
import io.hpcwhisk.simulator.availability.SampleWindow;
import io.hpcwhisk.simulator.ladder.Ladder;
import io.hpcwhisk.simulator.online.OnlineCounters;
import io.hpcwhisk.simulator.online.OnlineResult;
import io.hpcwhisk.simulator.replay.ReplayMode.Placement;
import io.hpcwhisk.simulator.report.CoverageFigures;
import io.hpcwhisk.simulator.report.ReplayResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replays one log in several modes and renders the results side by side as a Markdown table — the
 * table of {@code docs/simulator-guide.md}: the paper's clairvoyant ladders, then online policies
 * at each warm-up.
 */
public final class Comparison {

  private Comparison() {}

  /** The paper's ladders (2 warm-up samples), then each policy at each warm-up in seconds. */
  public static List<ReplayMode> standardModes(
      List<String> policies, List<Double> warmupSeconds, double graceSeconds) {
    List<ReplayMode> modes = new ArrayList<>();
    for (String name : Ladder.PAPER_NAMES) {
      modes.add(new ReplayMode.Clairvoyant(Ladder.parse(name), 2, 6));
    }
    for (double warmup : warmupSeconds) {
      for (String policy : policies) {
        modes.add(
            new ReplayMode.Online(policy, Map.of(), warmup, graceSeconds, Placement.LOWEST_ID));
      }
    }
    return modes;
  }

  /** Replays {@code idleLog} once per mode, reporting overall progress. */
  public static List<ReplayResult> run(
      Path idleLog, SampleWindow window, List<ReplayMode> modes, long seed, Progress progress) {
    List<ReplayResult> results = new ArrayList<>();
    for (int i = 0; i < modes.size(); i++) {
      int done = i;
      Progress part = fraction -> progress.update((done + fraction) / modes.size());
      results.add(
          Replays.replay(
              new ReplayRequest(idleLog, window, modes.get(i), seed, null, false), part));
    }
    progress.done();
    return results;
  }

  /** A Markdown table, one row per result. */
  public static String markdown(List<ReplayResult> results) {
    StringBuilder out = new StringBuilder();
    out.append(
        "| run | warm-up | ready | warm-up share | unused | pilots | preempted (before ready) |"
            + " timed out | wasted pilot-h | no-ready samples | mean ready nodes | ceiling |\n");
    out.append(
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ReplayResult result : results) {
      CoverageFigures f = result.figures();
      String run;
      String warmup;
      String preempted;
      String timedOut;
      String wasted;
      if (result instanceof OnlineResult online) {
        OnlineCounters c = online.counters();
        run = "online " + online.policyName();
        warmup = trim(online.online().warmupSeconds()) + " s";
        preempted =
            String.format(
                Locale.ROOT, "%,d (%,d)", c.pilotsPreempted(), c.pilotsPreemptedBeforeReady());
        timedOut = String.format(Locale.ROOT, "%,d", c.pilotsTimedOut());
        wasted = String.format(Locale.ROOT, "%.1f", c.pilotSecondsWasted() / 3600);
      } else {
        run = "clairvoyant " + result.settings().get("ladder");
        warmup = result.settings().get("warmupSamples") + " samples";
        preempted = "0 (0)";
        timedOut = "—";
        wasted =
            String.format(
                Locale.ROOT,
                "%.1f",
                f.warmupShare()
                    * result.facts().availableNodeSamples()
                    * result.facts().meanSamplePeriodSeconds()
                    / 3600);
      }
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.2f %% | %.2f %% | %.2f %% | %,d | %s | %s | %s | %,d (%.2f %%) | %.2f"
                  + " | %.2f %% |%n",
              run,
              warmup,
              f.readyShare() * 100,
              f.warmupShare() * 100,
              f.unusedShare() * 100,
              f.pilots(),
              preempted,
              timedOut,
              wasted,
              f.noReadySamples(),
              f.noReadySampleShare() * 100,
              f.meanReadyNodes(),
              f.ceilingReadyShare() * 100));
    }
    return out.toString();
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }
}
