package io.hpcwhisk.pilot;

import io.hpcwhisk.protocol.PilotMetrics;
import io.hpcwhisk.runtime.ActivationResult;
import io.hpcwhisk.runtime.RuntimeStats;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** The pilot's cumulative counters, reported with every heartbeat as {@link PilotMetrics}. */
final class PilotCounters {

  private final Map<String, Long> byStatus = new TreeMap<>();
  private long initMillis;
  private long runMillis;
  private long handedBack;
  private long drainEvents;

  synchronized void ended(ActivationResult result) {
    byStatus.merge(result.status().text(), 1L, Long::sum);
    long init = result.initTime().map(Duration::toMillis).orElse(0L);
    initMillis += init;
    runMillis += Math.max(0, result.duration().toMillis() - init);
  }

  synchronized void handedBack(int count) {
    handedBack += count;
  }

  synchronized void drained() {
    drainEvents++;
  }

  synchronized PilotMetrics snapshot(RuntimeStats stats) {
    return new PilotMetrics(
        byStatus,
        stats.coldStarts(),
        stats.warmStarts(),
        initMillis,
        runMillis,
        stats.alive(),
        handedBack,
        drainEvents);
  }
}
