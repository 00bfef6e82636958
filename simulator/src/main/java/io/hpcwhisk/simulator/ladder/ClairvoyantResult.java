package io.hpcwhisk.simulator.ladder;

import io.hpcwhisk.simulator.availability.TraceFacts;
import io.hpcwhisk.simulator.report.CoverageFigures;
import io.hpcwhisk.simulator.report.ReplayResult;
import io.hpcwhisk.simulator.report.Timeline;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The outcome of a clairvoyant ladder replay.
 *
 * @param facts the log's facts
 * @param ladder the ladder packed
 * @param warmupSamples warm-up samples per pilot
 * @param samplesPerMinute samples per ladder minute (the paper: 6)
 * @param figures the shared figures, weighted in samples
 * @param pilotsByLengthMinutes pilots placed per ladder length
 * @param timeline warming and ready nodes per sample
 */
public record ClairvoyantResult(
    TraceFacts facts,
    Ladder ladder,
    int warmupSamples,
    int samplesPerMinute,
    CoverageFigures figures,
    SortedMap<Integer, Long> pilotsByLengthMinutes,
    Timeline timeline)
    implements ReplayResult {

  public ClairvoyantResult {
    Objects.requireNonNull(facts, "facts");
    Objects.requireNonNull(ladder, "ladder");
    Objects.requireNonNull(figures, "figures");
    Objects.requireNonNull(timeline, "timeline");
    pilotsByLengthMinutes = Collections.unmodifiableSortedMap(new TreeMap<>(pilotsByLengthMinutes));
  }

  @Override
  public String mode() {
    return "clairvoyant";
  }

  @Override
  public String title() {
    return "clairvoyant ladder " + ladder.describe() + ", warm-up " + warmupSamples + " samples";
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("ladder", ladder.name());
    settings.put("ladderMinutes", ladder.minutes());
    settings.put("warmupSamples", warmupSamples);
    settings.put("samplesPerMinute", samplesPerMinute);
    return settings;
  }

  @Override
  public Map<String, Object> extraFigures() {
    Map<String, Object> extra = new LinkedHashMap<>();
    Map<String, Long> byLength = new LinkedHashMap<>();
    pilotsByLengthMinutes.forEach((minutes, count) -> byLength.put(String.valueOf(minutes), count));
    extra.put("pilotsByLengthMinutes", byLength);
    return extra;
  }

  @Override
  public List<String> notes() {
    return List.of(
        "Clairvoyant: every run's length is known when it is packed, so no pilot is ever preempted;"
            + " an upper reference, not something a controller can do.",
        "Lengths are minutes x "
            + samplesPerMinute
            + " samples as in the paper; the log's mean sample spacing is "
            + String.format(Locale.ROOT, "%.2f", facts.meanSamplePeriodSeconds())
            + " s.");
  }
}
