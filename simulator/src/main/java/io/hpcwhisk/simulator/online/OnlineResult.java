package io.hpcwhisk.simulator.online;

import io.hpcwhisk.simulator.availability.TraceFacts;
import io.hpcwhisk.simulator.replay.ReplayMode;
import io.hpcwhisk.simulator.report.CoverageFigures;
import io.hpcwhisk.simulator.report.ReplayResult;
import io.hpcwhisk.simulator.report.Timeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of an online replay.
 *
 * @param facts the log's facts
 * @param online the online settings
 * @param policyName the policy's own name
 * @param seed the seed used
 * @param figures the shared figures, weighted in seconds
 * @param counters pilots preempted, timed out, wasted pilot-seconds and the rest
 * @param timeline warming and ready nodes per sample
 * @param ignoredIntentExamples up to five intents that could not be applied, with why
 */
public record OnlineResult(
    TraceFacts facts,
    ReplayMode.Online online,
    String policyName,
    long seed,
    CoverageFigures figures,
    OnlineCounters counters,
    Timeline timeline,
    List<String> ignoredIntentExamples)
    implements ReplayResult {

  public OnlineResult {
    Objects.requireNonNull(facts, "facts");
    Objects.requireNonNull(online, "online");
    Objects.requireNonNull(figures, "figures");
    Objects.requireNonNull(counters, "counters");
    Objects.requireNonNull(timeline, "timeline");
    ignoredIntentExamples = List.copyOf(ignoredIntentExamples);
  }

  @Override
  public String mode() {
    return "online";
  }

  @Override
  public String title() {
    return String.format(
        Locale.ROOT,
        "online policy %s%s, warm-up %s s, grace %s s (optimistic bound)",
        policyName,
        online.policyParams().isEmpty() ? "" : " " + online.policyParams(),
        trim(online.warmupSeconds()),
        trim(online.graceSeconds()));
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("policy", policyName);
    settings.put("policyParams", online.policyParams());
    settings.put("warmupSeconds", online.warmupSeconds());
    settings.put("graceSeconds", online.graceSeconds());
    settings.put("placement", online.placement().name());
    settings.put("seed", seed);
    settings.put("harvestPartition", OnlineReplay.TARGET.partition());
    return settings;
  }

  @Override
  public Map<String, Object> extraFigures() {
    OnlineCounters c = counters;
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("optimisticBound", true);
    extra.put("pilotsPreempted", c.pilotsPreempted());
    extra.put("pilotsPreemptedBeforeReady", c.pilotsPreemptedBeforeReady());
    extra.put("pilotsTimedOut", c.pilotsTimedOut());
    extra.put("pilotsRunningAtEnd", c.pilotsRunningAtEnd());
    extra.put("runningPilotsCancelled", c.runningPilotsCancelled());
    extra.put("pilotsSubmitted", c.pilotsSubmitted());
    extra.put("pendingPilotsCancelled", c.pendingPilotsCancelled());
    extra.put("pilotSeconds", c.pilotSeconds());
    extra.put("pilotSecondsReady", c.pilotSecondsReady());
    extra.put("pilotSecondsWasted", c.pilotSecondsWasted());
    extra.put("batchDelayUpperBoundSeconds", c.batchDelayUpperBoundSeconds());
    extra.put("meanPendingPilots", c.meanPendingPilots());
    extra.put("maxPendingPilots", c.maxPendingPilots());
    extra.put("decisions", c.decisions());
    extra.put("ignoredIntents", c.ignoredIntents());
    return extra;
  }

  @Override
  public List<String> notes() {
    List<String> notes = new ArrayList<>();
    notes.add(
        "Optimistic bound: the idle-node log has no reservation data, so every idle node looks"
            + " unbounded to the policy and a pilot may always be preempted when the batch workload"
            + " takes the node back.");
    notes.add(
        "The controller decides once per log sample (mean spacing "
            + String.format(Locale.ROOT, "%.2f", facts.meanSamplePeriodSeconds())
            + " s); Slurm starts pilots without latency; shares are weighted in seconds.");
    notes.add(
        "batchDelayUpperBoundSeconds = preemptions x grace time; the grace period itself is not"
            + " simulated.");
    notes.addAll(ignoredIntentExamples);
    return notes;
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }
}
