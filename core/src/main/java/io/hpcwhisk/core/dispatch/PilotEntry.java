package io.hpcwhisk.core.dispatch;

import io.hpcwhisk.core.health.PilotHealthState;
import io.hpcwhisk.core.routing.PilotView;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One registered pilot as the dispatch rules know it: its connection, health, the memory reserved
 * on it and the activations it holds. Changed only by {@link DispatchMachine}; read by the shell
 * for gauges and snapshots.
 *
 * @param <C> the connection handle, compared by identity
 */
public final class PilotEntry<C> {
  final String id;
  final C connection;
  final PilotSpec spec;
  final Set<String> flights = new HashSet<>();
  final Set<String> kinds;
  final Instant deadline;
  PilotHealthState health;

  /**
   * Set by the first heartbeat: the pilot is serving its connection (it may drop messages before).
   */
  boolean ready;

  boolean draining;
  boolean leaving;

  /** Volatile: gauges read it without the lock. */
  volatile int reservedMb;

  /** Cores and GPUs reserved by the activations it holds that asked for them. */
  int reservedCores;

  int reservedGpus;

  private Map<String, Integer> warm;
  private Set<String> warmKeys;

  /** When the balancer last sent it a {@code ping}, epoch ms; 0 never. */
  long lastProbeMs;

  PilotEntry(PilotSpec spec, C connection, PilotHealthState health) {
    this.id = spec.pilotId();
    this.connection = connection;
    this.spec = spec;
    this.health = health;
    this.warm = spec.warm();
    this.kinds = Set.copyOf(spec.kinds());
    this.deadline = Instant.ofEpochMilli(spec.deadlineMs());
  }

  public String id() {
    return id;
  }

  public C connection() {
    return connection;
  }

  public PilotSpec spec() {
    return spec;
  }

  public PilotHealthState health() {
    return health;
  }

  public boolean ready() {
    return ready;
  }

  /** Draining or leaving: it gets nothing new. */
  public boolean closing() {
    return draining || leaving;
  }

  public boolean leaving() {
    return leaving;
  }

  public int reservedMb() {
    return reservedMb;
  }

  /** How many activations it holds. */
  public int holding() {
    return flights.size();
  }

  PilotView view() {
    if (warmKeys == null) {
      Set<String> keys = new HashSet<>();
      warm.forEach(
          (key, n) -> {
            if (n != null && n > 0) {
              keys.add(key);
            }
          });
      warmKeys = Set.copyOf(keys);
    }
    int free = Math.max(0, spec.memoryMb() - reservedMb);
    return new PilotView(
        id,
        health.health(),
        draining || leaving,
        spec.memoryMb(),
        free,
        kinds,
        warmKeys,
        deadline,
        spec.onlyNamespace(),
        spec.cores(),
        Math.max(0, spec.cores() - reservedCores),
        spec.gpus(),
        Math.max(0, spec.gpus() - reservedGpus));
  }

  /** Takes the warm runtimes of a heartbeat. */
  void warm(Map<String, Integer> latest) {
    if (!latest.equals(warm)) {
      warm = latest;
      warmKeys = null;
    }
  }
}
