package io.hpcwhisk.simulator.report;

import io.hpcwhisk.simulator.availability.TraceFacts;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one replay, whatever its mode: the log's facts, the shared figures, the per-sample
 * timeline, the settings that produced it and the mode's own extra figures (both in report order).
 */
public interface ReplayResult {

  /** {@code clairvoyant} or {@code online}. */
  String mode();

  /**
   * One line naming what was replayed, e.g. {@code clairvoyant ladder A1 (2,4,...,90 min), warm-up
   * 2 samples}.
   */
  String title();

  TraceFacts facts();

  CoverageFigures figures();

  Timeline timeline();

  /** The settings, as written to {@code report.json} under {@code settings}. */
  Map<String, Object> settings();

  /**
   * Figures only this mode has, written at the top level of {@code report.json} after the shared
   * ones.
   */
  Map<String, Object> extraFigures();

  /** Caveats the reader of the report must know, written under {@code notes}. */
  List<String> notes();
}
