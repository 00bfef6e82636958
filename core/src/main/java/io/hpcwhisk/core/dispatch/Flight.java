package io.hpcwhisk.core.dispatch;

import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * One activation the dispatcher owns until it ends, in one {@link Phase}. Messages about it count
 * only from a connection it was sent over ({@link #sentOn}); only the one it is held over now
 * ({@link #via}) may acknowledge, start or hand it back. Changed only by {@link DispatchMachine}.
 *
 * @param <C> the connection handle, compared by identity
 */
public final class Flight<C> {

  /**
   * Where an activation is. {@code NEW → QUEUED ⇄ NEW → SENT → HELD → RUNNING → ENDED}; a take-back
   * goes from SENT, HELD or RUNNING to NEW (then QUEUED or ENDED). {@link #pilotId}, {@link #via},
   * the acknowledgement deadline and the lease mean something only while SENT, HELD or RUNNING;
   * {@link #queuedAtMs} only while QUEUED.
   */
  public enum Phase {
    /** Owned, not on a pilot and not in the queue (being placed, or just taken back). */
    NEW,
    /** Waiting in the fair queue since {@link #queuedAtMs}. */
    QUEUED,
    /** Sent to a pilot, which must acknowledge it by {@link #ackByMs}. */
    SENT,
    /** Acknowledged, leased until {@link #leaseUntilMs}, not reported started. */
    HELD,
    /** Its pilot reported {@code started}; leased until {@link #leaseUntilMs}. */
    RUNNING,
    /** Ended once: the terminal effect was given out. */
    ENDED
  }

  final Activation activation;
  Phase phase = Phase.NEW;

  /**
   * Pilot ids it was ever sent to (for avoiding, logs and telling a reconnected pilot from a
   * stranger).
   */
  final Set<String> triedOn = new HashSet<>(2);

  /** Connections it was ever sent over, by identity: a result from any of them may end it. */
  final Set<C> sentOn = Collections.newSetFromMap(new IdentityHashMap<>(2));

  /**
   * Pilots that failed it (no acknowledgement, lease expired, handed back): avoided while others
   * exist.
   */
  final Set<String> avoid = new HashSet<>(2);

  /** Pilots told to {@code cancel} it: their late results are dropped. */
  final Set<String> cancelledOn = new HashSet<>(2);

  String pilotId;
  C via;
  long ackByMs;
  long leaseUntilMs;
  long queuedAtMs;

  /**
   * How often it may have started: {@code started} reports and hand-backs that say it had started.
   */
  int starts;

  /** How often it was sent to a pilot (bounds re-dispatch of work that never starts). */
  int sends;

  /** How often a pilot could not start its runtime. */
  int startFailures;

  String lastRefusal = "no pilot has been asked yet";

  Flight(Activation activation) {
    this.activation = activation;
  }

  public String id() {
    return activation.id();
  }

  public Activation activation() {
    return activation;
  }

  public Phase phase() {
    return phase;
  }

  /** The pilot holding it, or null when it is not on a pilot. */
  public String pilotId() {
    return onPilot() ? pilotId : null;
  }

  public int starts() {
    return starts;
  }

  public int sends() {
    return sends;
  }

  boolean onPilot() {
    return phase == Phase.SENT || phase == Phase.HELD || phase == Phase.RUNNING;
  }

  /**
   * Whether it may have run on its current pilot, as far as the protocol lets the balancer know:
   * its pilot reported it started. Each assignment's start counts once, when this first becomes
   * true.
   */
  boolean mayHaveStarted() {
    return phase == Phase.RUNNING;
  }

  String queueKey() {
    return activation.queueKey();
  }
}
