package io.hpcwhisk.simulator.batch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One simulated run of a trace: with a policy's pilots, or the baseline without any.
 *
 * @param label {@code baseline} or the policy name
 * @param idle idle node-time and who held it
 * @param jobs wait, bounded slowdown, and (with pilots) delays against the baseline
 * @param pilots the pilot counters (empty for the baseline)
 * @param timeline sampled node counts: rows busy, unused, warming, ready
 * @param sampleSeconds seconds between timeline samples
 * @param wallSeconds wall-clock seconds the run took
 * @param cpuSeconds CPU seconds of the run's thread (the wall time less what other processes took;
 *     -1 unknown)
 * @param simulatedSeconds simulated seconds from the first submit to the last job's end
 * @param faas the FaaS layer's figures ({@link io.hpcwhisk.simulator.faas.FaasResult}); empty
 *     without invocations
 */
public record RunResult(
    String label,
    IdleAccount.Figures idle,
    JobStats.Summary jobs,
    Map<String, Object> pilots,
    int[][] timeline,
    double sampleSeconds,
    double wallSeconds,
    double cpuSeconds,
    double simulatedSeconds,
    Map<String, Object> faas) {

  public RunResult {
    pilots = Collections.unmodifiableMap(new LinkedHashMap<>(pilots));
    faas = Collections.unmodifiableMap(new LinkedHashMap<>(faas));
  }

  RunResult withFaas(Map<String, Object> figures) {
    return new RunResult(
        label,
        idle,
        jobs,
        pilots,
        timeline,
        sampleSeconds,
        wallSeconds,
        cpuSeconds,
        simulatedSeconds,
        figures);
  }
}
