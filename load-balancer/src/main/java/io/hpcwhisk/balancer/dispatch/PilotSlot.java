package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.core.health.PilotHealthState;
import io.hpcwhisk.core.routing.PilotView;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotMetrics;
import io.micrometer.core.instrument.Meter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the dispatcher knows about one registered pilot. Mutable; guarded by the dispatcher's lock. */
final class PilotSlot {
  final String id;
  final PilotConnection connection;
  final PilotMessage.Register register;
  final Set<String> flights = new HashSet<>();
  final List<Meter> meters = new ArrayList<>();
  final Set<String> kinds;
  final Instant deadline;
  PilotHealthState health;
  /** Set by the first heartbeat: the pilot is serving its connection (it may drop messages before). */
  boolean ready;
  boolean draining;
  boolean leaving;
  volatile int reservedMb;
  private Map<String, Integer> warm;
  private Set<String> warmKeys;
  volatile PilotMetrics reported = PilotMetrics.empty();
  /** When the balancer last sent it a {@code ping} (health probe), epoch ms; 0 never. */
  long lastProbeMs;

  PilotSlot(String id, PilotConnection connection, PilotMessage.Register register, PilotHealthState health) {
    this.id = id;
    this.connection = connection;
    this.register = register;
    this.health = health;
    this.warm = register.warm();
    this.kinds = Set.copyOf(register.kinds());
    this.deadline = Instant.ofEpochMilli(register.deadlineMs());
  }

  /** Whether it speaks protocol minor 1: reports {@code started}, honours {@code cancel}, answers {@code ping}. */
  boolean reportsStarts() {
    return register.minor() >= 1;
  }

  PilotView view() {
    if (warmKeys == null) {
      Set<String> keys = new HashSet<>();
      warm.forEach((key, n) -> {
        if (n != null && n > 0) {
          keys.add(key);
        }
      });
      warmKeys = Set.copyOf(keys);
    }
    int free = Math.max(0, register.memoryMb() - reservedMb);
    return new PilotView(id, health.health(), draining || leaving, register.memoryMb(), free, kinds, warmKeys,
        deadline, register.onlyNamespace());
  }

  /** Takes the warm runtimes of a heartbeat. */
  void warm(Map<String, Integer> latest) {
    if (!latest.equals(warm)) {
      warm = latest;
      warmKeys = null;
    }
  }
}
