package io.hpcwhisk.core.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dispatcher's books: registered pilots, the activations it owns, the wait queue, the cancels
 * owed by lost pilots. Mutable, and changed only by {@link DispatchMachine#next} (a copy per event
 * would cost the hot path thousands of entries); the shell that owns it holds one lock around
 * {@code next} and around its reads.
 *
 * @param <C> the connection handle
 */
public final class DispatchState<C> {

  final Map<String, PilotEntry<C>> pilots = new LinkedHashMap<>();
  final Map<String, Flight<C>> flights = new HashMap<>();
  final FairQueue<Flight<C>> queue;

  /** Per lost pilot, activations taken back unstarted: cancelled when it registers again. */
  final Map<String, List<String>> owed = new HashMap<>();

  boolean stopped;

  /** The ownership lease lapsed: nothing is placed until {@link DispatchEvent.Resumed}. */
  boolean held;

  /** Activations recently disowned (bounded): a late result for one is logged, once. */
  final Set<String> disowned =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > 10_000;
            }
          });

  public DispatchState(DispatchPolicy policy) {
    this.queue = new FairQueue<>(policy.maxQueued(), Flight::queueKey);
  }

  /** The pilot registered as {@code id} (over whatever connection), or null. */
  public PilotEntry<C> pilot(String id) {
    return pilots.get(id);
  }

  /**
   * The pilot registered as {@code id} on exactly this connection, else null (a stale connection).
   */
  public PilotEntry<C> current(String id, C connection) {
    PilotEntry<C> p = pilots.get(id);
    return p != null && p.connection == connection ? p : null;
  }

  /**
   * Whether {@code connection} is another connection than the one {@code id} is registered over.
   */
  public C holderOtherThan(String id, C connection) {
    PilotEntry<C> p = pilots.get(id);
    return p == null || p.connection == connection ? null : p.connection;
  }

  public Collection<PilotEntry<C>> pilots() {
    return Collections.unmodifiableCollection(pilots.values());
  }

  public Flight<C> flight(String activationId) {
    return flights.get(activationId);
  }

  /** Activations owned and not ended (queued, on pilots, or submitted after the stop). */
  public int inFlight() {
    return flights.size();
  }

  public int queued() {
    return queue.size();
  }

  /**
   * The longest timeout among the waiting activations, in ms; 0 when none waits. The harvest
   * controller's demand signal: a pilot must last at least this long to take all of them.
   */
  public long longestQueuedTimeoutMs() {
    long[] longest = {0};
    queue.forEach(f -> longest[0] = Math.max(longest[0], f.activation.timeoutMs()));
    return longest[0];
  }

  public boolean stopped() {
    return stopped;
  }

  /** Whether dispatch is held for a lapsed ownership lease. */
  public boolean held() {
    return held;
  }

  /** Reserved memory by pilot, in registration order. */
  public Map<String, Integer> reservedMbByPilot() {
    Map<String, Integer> reserved = new LinkedHashMap<>();
    pilots.values().forEach(p -> reserved.put(p.id, p.reservedMb));
    return reserved;
  }

  List<Flight<C>> flightsCopy() {
    return new ArrayList<>(flights.values());
  }
}
