package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.core.dispatch.PilotEntry;
import io.hpcwhisk.protocol.PilotMetrics;
import io.micrometer.core.instrument.Meter;
import java.util.ArrayList;
import java.util.List;

/**
 * The shell's side of one registered pilot: its per-pilot meters and the counters it last reported.
 */
final class PilotSlot {
  final PilotEntry<PilotConnection> entry;
  final List<Meter> meters = new ArrayList<>();
  volatile PilotMetrics reported = PilotMetrics.empty();

  PilotSlot(PilotEntry<PilotConnection> entry) {
    this.entry = entry;
  }

  String id() {
    return entry.id();
  }
}
