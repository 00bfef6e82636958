package io.hpcwhisk.core.dispatch;

import io.hpcwhisk.core.dispatch.DispatchEffect.Counter;
import io.hpcwhisk.core.health.Health;
import io.hpcwhisk.core.health.HealthMachine;
import io.hpcwhisk.core.health.HealthSignal;
import io.hpcwhisk.core.health.PilotHealthState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The balancer's dispatch rules as a state machine: {@code next(state, event, now) -> (state,
 * effects)}.
 *
 * <p><b>Algorithm.</b> Each activation is a {@link Flight} in one {@link Flight.Phase}. A submitted
 * one is routed at once with the core router when nothing waits ({@link Placement}), else it waits
 * in the {@link FairQueue}. A routed one reserves its memory on the pilot and is sent ({@code
 * SENT}); the pilot must acknowledge it within {@code ackTimeoutMs} ({@code HELD}, leased for its
 * timeout plus {@code leaseSlackMs}) and reports its start ({@code RUNNING}; the lease runs again
 * from there); its result ends it ({@code ENDED}: one {@link DispatchEffect.Complete}). What is
 * taken back from a pilot — handed back, pilot lost or offline, no acknowledgement in time, lease
 * expired, runtime start failure — goes by the table in {@link Recovery}: back to the head of the
 * queue, or ended by {@link RetryRule}. Registrations, heartbeats, results and hand-backs offer the
 * queue to the pilots; ticks advance health, deadlines and the queue's wait limit. Messages about
 * an activation count only from a connection it was sent over; anything else is dropped ({@link
 * DispatchEffect.Dropped}).
 *
 * <p><b>Example.</b> Pilots p1 (256 MB free) and p2 (0 MB free); {@code Submitted(a1)} gives {@code
 * Activate(p1, a1, attempt 1)}; {@code Submitted(a2)} gives a {@code ROUTING_REFUSAL no_capacity}
 * count and a2 waits. {@code Closed(p1)} while a1 is {@code RUNNING} and not retry-safe gives
 * {@code Complete(a1, "pilot preempted: pilot p1 was lost ...")}; had p1 not started it, {@code
 * Cancel} is owed to p1 and a1 goes to the head of the queue.
 *
 * <p><b>Purity.</b> The machine reads no clock, draws no random number and does no I/O: everything
 * it learns is an event, everything it wants done is an effect, in order. It changes the state it
 * is given in place (copying thousands of flights per event would cost the hot path) and returns
 * it; the same state and events give the same effects. The balancer's {@code PilotDispatcher} and
 * the simulator's FaaS layer drive it.
 *
 * <p><b>Known caveats.</b> Not thread-safe: one caller at a time (the shell's lock). Connections
 * are compared by identity, so the shell must hand in the same object for one connection every
 * time.
 *
 * @param <C> the connection handle
 */
public final class DispatchMachine<C> {

  private final DispatchPolicy policy;
  private final HealthMachine health;

  public DispatchMachine(DispatchPolicy policy) {
    this.policy = policy;
    this.health = new HealthMachine(policy.health());
  }

  public DispatchPolicy policy() {
    return policy;
  }

  /** A fresh, empty state for this machine's policy. */
  public DispatchState<C> initial() {
    return new DispatchState<>(policy);
  }

  /** The state after the event (the same object, changed) and the effects to carry out in order. */
  public record Step<C>(DispatchState<C> state, List<DispatchEffect<C>> effects) {}

  public Step<C> next(DispatchState<C> state, DispatchEvent<C> event, Instant now) {
    Turn<C> t = new Turn<>(state, policy, health, now);
    handle(t, event);
    return new Step<>(state, t.effects);
  }

  /** One event's work: the state, the time, and the effects so far. */
  static final class Turn<C> {
    final DispatchState<C> state;
    final DispatchPolicy policy;
    final HealthMachine health;
    final Instant now;
    final long nowMs;
    final List<DispatchEffect<C>> effects = new ArrayList<>(2);

    Turn(DispatchState<C> state, DispatchPolicy policy, HealthMachine health, Instant now) {
      this.state = state;
      this.policy = policy;
      this.health = health;
      this.now = now;
      this.nowMs = now.toEpochMilli();
    }

    void emit(DispatchEffect<C> effect) {
      effects.add(effect);
    }

    void count(Counter counter, String label) {
      effects.add(new DispatchEffect.Count<>(counter, label, 1));
    }
  }

  private void handle(Turn<C> t, DispatchEvent<C> event) {
    DispatchState<C> s = t.state;
    // (Java 17: no pattern matching for switch yet.)
    if (event instanceof DispatchEvent.Submitted<C> e) {
      submitted(t, e.activation());
    } else if (event instanceof DispatchEvent.Claimed<C> e) {
      if (s.stopped) {
        return;
      }
      heldElsewhere(t, e.pilotId(), e.connection(), e.holderOpen());
    } else if (event instanceof DispatchEvent.Registered<C> e) {
      registered(t, e);
    } else if (event instanceof DispatchEvent.Closed<C> e) {
      PilotEntry<C> p = s.stopped ? null : s.current(e.pilotId(), e.connection());
      if (p != null) {
        Recovery.lose(
            t, p, p.leaving ? "left (" + e.reason() + ")" : "was lost (" + e.reason() + ")");
        Placement.drain(t);
      }
    } else if (event instanceof DispatchEvent.Tick<C> e) {
      if (!s.stopped) {
        tick(t, e.handling());
      }
    } else if (event instanceof DispatchEvent.Heard<C> e) {
      PilotEntry<C> p = s.stopped ? null : s.current(e.pilotId(), e.connection());
      if (p != null && e.at().isAfter(p.health.lastHeartbeat())) {
        Health before = p.health.health();
        change(t, p, new HealthSignal.Heartbeat(e.at()));
        if (before != p.health.health()) {
          Placement.drain(t);
        }
      }
    } else if (event instanceof DispatchEvent.DrainAsked<C> e) {
      PilotEntry<C> p = s.pilots.get(e.pilotId());
      if (p != null) {
        p.draining = true;
        t.emit(new DispatchEffect.Drain<>(p.connection, e.reason()));
      }
    } else if (event instanceof DispatchEvent.Forgotten<C> e) {
      for (PilotEntry<C> p : s.pilots.values()) {
        t.emit(new DispatchEffect.Forget<>(p.connection, e.actionPath()));
      }
    } else if (event instanceof DispatchEvent.Held<C>) {
      s.held = true;
    } else if (event instanceof DispatchEvent.Disowned<C> e) {
      disowned(t, e);
    } else if (event instanceof DispatchEvent.Resumed<C>) {
      s.held = false;
      Placement.drain(t);
    } else if (event instanceof DispatchEvent.Stopped<C>) {
      s.stopped = true;
      List<PilotEntry<C>> all = new ArrayList<>(s.pilots.values());
      s.pilots.clear();
      for (PilotEntry<C> p : all) {
        t.emit(new DispatchEffect.Left<>(p));
        t.emit(new DispatchEffect.Close<>(p.connection, 1001, "balancer stopping"));
      }
    } else {
      fromPilot(t, event);
    }
  }

  /** Ends what another server took over; a pilot that holds one is told to cancel it. */
  private void disowned(Turn<C> t, DispatchEvent.Disowned<C> e) {
    DispatchState<C> s = t.state;
    for (String id : e.ids()) {
      Flight<C> f = s.flights.get(id);
      if (f == null) {
        continue;
      }
      s.disowned.add(id);
      PilotEntry<C> holder = f.onPilot() ? s.current(f.pilotId, f.via) : null;
      if (holder != null) {
        f.cancelledOn.add(holder.id);
        t.emit(new DispatchEffect.Cancel<>(holder.connection, id, e.reason()));
      }
      t.emit(
          new DispatchEffect.Log<>(
              true,
              "activation "
                  + id
                  + (holder != null ? " (on pilot " + holder.id + ", told to cancel)" : "")
                  + " is dropped here: "
                  + e.reason()));
      Placement.finish(t, f, DispatchEffect.DISOWNED, e.reason());
    }
  }

  private void submitted(Turn<C> t, Activation a) {
    DispatchState<C> s = t.state;
    if (s.flights.containsKey(a.id())) {
      throw new IllegalStateException("activation " + a.id() + " is already being dispatched");
    }
    Flight<C> f = new Flight<>(a);
    s.flights.put(a.id(), f);
    if (!s.stopped) { // when stopped it stays pending in the store: the next start re-dispatches it
      Placement.submit(t, f);
    }
  }

  /**
   * Refuses (retry later, counted) when {@code id} is registered over another connection that is
   * open; returns the registration whose connection has closed without reporting it yet, else null.
   * A half-open connection counts as open until the pilot is declared offline, so nobody can take a
   * live pilot's id.
   */
  private PilotEntry<C> heldElsewhere(Turn<C> t, String id, C connection, boolean holderOpen) {
    PilotEntry<C> old = t.state.pilots.get(id);
    if (old == null || old.connection == connection) {
      return null;
    }
    if (holderOpen) {
      t.emit(
          new DispatchEffect.Refuse<>(
              "pilot id "
                  + id
                  + " is held by a live connection; try again once it has"
                  + " closed or gone offline",
              true,
              DispatchEffect.REFUSED_ID_IN_USE));
      return null;
    }
    return old;
  }

  private void registered(Turn<C> t, DispatchEvent.Registered<C> e) {
    DispatchState<C> s = t.state;
    if (s.stopped) {
      t.emit(
          new DispatchEffect.Refuse<>(
              "the balancer is stopping", false, DispatchEffect.REFUSED_STOPPING));
      return;
    }
    String id = e.spec().pilotId();
    PilotEntry<C> old = heldElsewhere(t, id, e.connection(), e.holderOpen());
    if (!t.effects.isEmpty()
        && t.effects.get(t.effects.size() - 1) instanceof DispatchEffect.Refuse<C>) {
      return;
    }
    if (old != null) { // its connection closed and has not said so yet: the pilot reconnected first
      Recovery.lose(t, old, "was lost (its connection closed; it registered again)");
    }
    PilotEntry<C> p =
        new PilotEntry<>(e.spec(), e.connection(), PilotHealthState.registered(t.now));
    PilotEntry<C> replaced = s.pilots.put(id, p);
    if (replaced != null) {
      t.emit(new DispatchEffect.Left<>(replaced));
    }
    t.emit(new DispatchEffect.Joined<>(p));
    t.emit(new DispatchEffect.Welcome<>(p.connection, id));
    List<String> owed = s.owed.remove(id);
    if (owed != null) {
      for (String activationId : owed) {
        t.emit(
            new DispatchEffect.Cancel<>(
                p.connection, activationId, "taken back while the pilot was away"));
      }
    }
    Placement.drain(t);
  }

  private void fromPilot(Turn<C> t, DispatchEvent<C> event) {
    DispatchState<C> s = t.state;
    DispatchEvent.FromPilot<C> message = (DispatchEvent.FromPilot<C>) event;
    String pilotId = message.pilotId();
    C connection = message.connection();
    PilotEntry<C> p = s.stopped ? null : s.current(pilotId, connection);
    if (p == null) {
      if (event instanceof DispatchEvent.Completed<C> c) {
        // a result over a connection that no longer holds a registration still counts if it was
        // sent there
        completed(t, null, c);
      } else if (!s.stopped) {
        t.emit(
            new DispatchEffect.Dropped<>(
                DispatchEffect.DROPPED_STALE, messageName(event), null, pilotId, connection));
      }
      return;
    }
    if (event instanceof DispatchEvent.Heartbeat<C> h) {
      p.health = t.health.next(p.health, new HealthSignal.Heartbeat(t.now));
      p.ready = true;
      p.warm(h.warm());
      if (h.draining()) {
        p.draining = true;
      }
      Placement.drain(t);
    } else if (event instanceof DispatchEvent.Accepted<C> a) {
      if (!foreign(t, pilotId, connection, a.activationId(), "accepted")
          && acknowledge(t, connection, a.activationId())) {
        answered(t, p);
      }
    } else if (event instanceof DispatchEvent.Started<C> st) {
      if (!foreign(t, pilotId, connection, st.activationId(), "started")) {
        started(t, pilotId, connection, st.activationId());
      }
    } else if (event instanceof DispatchEvent.Completed<C> c) {
      completed(t, p, c);
    } else if (event instanceof DispatchEvent.HandedBack<C> h) {
      for (DispatchEvent.HandedBack.Item item : h.items()) {
        foreign(t, pilotId, connection, item.activationId(), "hand-back");
      }
      Recovery.handedBack(t, connection, h);
      Placement.drain(t);
    } else if (event instanceof DispatchEvent.Pong<C>) {
      answered(t, p);
    } else if (event instanceof DispatchEvent.Draining<C> d) {
      p.draining = true;
      t.emit(new DispatchEffect.Log<>(false, "pilot " + pilotId + " drains: " + d.reason()));
    } else if (event instanceof DispatchEvent.Leaving<C> l) {
      p.leaving = true;
      t.emit(new DispatchEffect.Log<>(false, "pilot " + pilotId + " leaves: " + l.reason()));
    } else if (event instanceof DispatchEvent.RegisteredTwice<C>) {
      t.emit(
          new DispatchEffect.Log<>(
              true, "pilot " + pilotId + " registered twice on one connection; ignored"));
    }
  }

  /**
   * Whether a message about {@code activationId} comes from a connection it was never sent over:
   * then it is dropped, whatever pilot id the connection is registered under. An unknown activation
   * is not foreign (it is late: counted where it is handled).
   */
  private boolean foreign(
      Turn<C> t, String pilotId, C connection, String activationId, String what) {
    Flight<C> f = t.state.flights.get(activationId);
    if (f == null || f.sentOn.contains(connection)) {
      return false;
    }
    String reason =
        f.triedOn.contains(pilotId)
            ? DispatchEffect.DROPPED_EARLIER
            : DispatchEffect.DROPPED_FOREIGN;
    t.emit(new DispatchEffect.Dropped<>(reason, what, activationId, pilotId, connection));
    return true;
  }

  /**
   * The pilot acknowledged it: it holds it, leased from now (not yet a start: only {@code started}
   * is). Returns whether the pilot holds it over {@code connection} (the acknowledgement answers
   * the balancer).
   */
  private boolean acknowledge(Turn<C> t, C connection, String activationId) {
    Flight<C> f = t.state.flights.get(activationId);
    if (f == null || !f.onPilot() || f.via != connection) {
      return false;
    }
    if (f.phase == Flight.Phase.SENT) {
      f.phase = Flight.Phase.HELD;
      f.leaseUntilMs = t.nowMs + f.activation.timeoutMs() + t.policy.leaseSlackMs();
    }
    return true;
  }

  /**
   * The pilot's runtime began running it: it counts as a start, the lease runs from now. A start
   * reported by a pilot that was told to cancel it means it runs twice (counted).
   */
  private void started(Turn<C> t, String pilotId, C connection, String activationId) {
    Flight<C> f = t.state.flights.get(activationId);
    if (f == null) {
      return;
    }
    if (!f.onPilot() || f.via != connection) {
      if (f.cancelledOn.contains(pilotId)) {
        t.count(Counter.START_AFTER_CANCEL, "");
        t.emit(
            new DispatchEffect.Log<>(
                true,
                "pilot "
                    + pilotId
                    + " started activation "
                    + activationId
                    + " after it was told to cancel it (it was re-dispatched: it runs twice; this"
                    + " pilot's result will be dropped)"));
      }
      return;
    }
    if (f.phase != Flight.Phase.RUNNING) {
      f.starts++;
      f.phase = Flight.Phase.RUNNING;
      f.leaseUntilMs = t.nowMs + f.activation.timeoutMs() + t.policy.leaseSlackMs();
    }
  }

  private void completed(Turn<C> t, PilotEntry<C> p, DispatchEvent.Completed<C> c) {
    Flight<C> f = t.state.flights.get(c.activationId());
    if (f == null) {
      t.count(Counter.LATE_RESULT, "after_end");
      if (t.state.disowned.remove(c.activationId())) {
        t.emit(
            new DispatchEffect.Log<>(
                true,
                "dropped the late result of activation "
                    + c.activationId()
                    + " from pilot "
                    + c.pilotId()
                    + ": another server took the activation over while this server was silent"));
      }
      return;
    }
    if (foreign(t, c.pilotId(), c.connection(), f.id(), "completed")) {
      return;
    }
    if (f.cancelledOn.contains(c.pilotId())) {
      t.count(
          Counter.CANCELLED_RESULT,
          ""); // it was re-dispatched after this pilot was told to cancel it
      return;
    }
    boolean heldHere = f.onPilot() && f.via == c.connection();
    if (c.startFault() != null) {
      if (p != null && heldHere) {
        Recovery.runtimeStartFailed(t, f, p, c.startFault());
        Placement.drain(t);
      } else {
        t.count(
            Counter.LATE_RESULT,
            "after_end"); // an earlier attempt that never ran: the current one goes on
      }
      return;
    }
    if (f.onPilot() && !heldHere) {
      PilotEntry<C> holder = t.state.current(f.pilotId, f.via);
      if (holder != null) {
        t.emit(
            new DispatchEffect.Cancel<>(
                holder.connection, f.id(), "an earlier attempt on " + c.pilotId() + " ended it"));
      }
    }
    activationEnded(
        t, p, c.systemError() ? HealthSignal.Outcome.SYSTEM_ERROR : HealthSignal.Outcome.OK);
    Placement.finish(t, f, c.label(), null);
    Placement.drain(t);
  }

  static <C> void activationEnded(Turn<C> t, PilotEntry<C> p, HealthSignal.Outcome outcome) {
    if (p != null) {
      p.health = t.health.next(p.health, new HealthSignal.ActivationEnded(t.now, outcome));
    }
  }

  /**
   * The pilot answered: timeouts no longer count against it. Cheap when it had none (the hot path).
   */
  private void answered(Turn<C> t, PilotEntry<C> p) {
    if (p.health.recent().contains(HealthSignal.Outcome.TIMEOUT)) {
      change(t, p, new HealthSignal.Answered(t.now));
    }
  }

  static <C> void change(Turn<C> t, PilotEntry<C> p, HealthSignal signal) {
    Health before = p.health.health();
    p.health = t.health.next(p.health, signal);
    if (before != p.health.health()) {
      t.emit(
          new DispatchEffect.Log<>(
              true, "pilot " + p.id + " is " + p.health.health() + ": " + p.health.reason()));
    }
  }

  /**
   * Advances every pilot's health; takes back what an offline pilot held and closes it; probes each
   * pilot that is unresponsive because it left activations unanswered at most every {@code
   * probeIntervalMs}; then acknowledgement and lease deadlines, the queue's wait limit, and the
   * queue.
   */
  private void tick(Turn<C> t, Set<String> handling) {
    List<PilotEntry<C>> offline = new ArrayList<>();
    for (PilotEntry<C> p : t.state.pilots.values()) {
      Health before = p.health.health();
      p.health = t.health.next(p.health, new HealthSignal.Tick(t.now));
      if (p.health.health() == Health.OFFLINE) {
        offline.add(p);
        continue;
      } else if (before != p.health.health()) {
        t.emit(
            new DispatchEffect.Log<>(
                true, "pilot " + p.id + " is " + p.health.health() + ": " + p.health.reason()));
      }
      if (p.health.health() == Health.UNRESPONSIVE
          && p.health.recent().contains(HealthSignal.Outcome.TIMEOUT)
          && t.nowMs - p.lastProbeMs >= t.policy.probeIntervalMs()) {
        p.lastProbeMs = t.nowMs;
        t.count(Counter.PROBE, "");
        t.emit(new DispatchEffect.Ping<>(p.connection, Long.toString(t.nowMs)));
      }
    }
    for (PilotEntry<C> p : offline) {
      Recovery.lose(t, p, "is offline (" + p.health.reason() + ")");
      t.emit(new DispatchEffect.Close<>(p.connection, 1001, "offline: " + p.health.reason()));
    }
    Recovery.expire(t, handling);
    Placement.expireWaiting(t);
    Placement.drain(t);
  }

  private static String messageName(DispatchEvent<?> event) {
    String name = event.getClass().getSimpleName();
    return switch (name) {
      case "HandedBack" -> "HandBack";
      case "RegisteredTwice" -> "Register";
      default -> name;
    };
  }
}
