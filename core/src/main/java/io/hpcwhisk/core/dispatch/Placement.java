package io.hpcwhisk.core.dispatch;

import io.hpcwhisk.core.dispatch.DispatchEffect.Counter;
import io.hpcwhisk.core.dispatch.DispatchMachine.Turn;
import io.hpcwhisk.core.routing.PilotView;
import io.hpcwhisk.core.routing.Router;
import io.hpcwhisk.core.routing.RoutingDecision;
import io.hpcwhisk.core.routing.RoutingRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Placing activations on pilots and pumping the wait queue, and the one place an activation ends
 * ({@link #finish}). Routes with {@link Router#choose} over the pilots that have sent their first
 * heartbeat (avoiding pilots that already failed the activation while others can take work),
 * reserves the memory and sends {@code activate}; what cannot be placed waits in the {@link
 * FairQueue} until a pilot frees up or registers, or ends after the wait limit naming the last
 * refusal; {@code too_large} ends it at once.
 */
final class Placement {

  private Placement() {}

  /**
   * A new activation: sent at once if nothing waits and a pilot can take it, else queued behind the
   * others.
   */
  static <C> void submit(Turn<C> t, Flight<C> f) {
    FairQueue<Flight<C>> queue = t.state.queue;
    if (queue.isEmpty() && !t.state.held && place(t, f, -1)) {
      queue.served(f.queueKey());
    } else {
      if (f.phase == Flight.Phase.NEW) {
        enqueue(t, f);
      }
      drain(t);
    }
  }

  private static <C> void enqueue(Turn<C> t, Flight<C> f) {
    f.queuedAtMs = t.nowMs;
    f.phase = Flight.Phase.QUEUED;
    if (!t.state.queue.offer(f)) {
      f.phase = Flight.Phase.NEW;
      finish(
          t,
          f,
          "queue_full",
          "The balancer's queue is full ("
              + t.policy.maxQueued()
              + " activations wait for a pilot); try again later.");
    }
  }

  /**
   * Puts a taken-back activation at the head of its namespace's queue (it goes before new work).
   */
  static <C> void requeueFirst(Turn<C> t, Flight<C> f) {
    f.queuedAtMs = t.nowMs;
    f.phase = Flight.Phase.QUEUED;
    t.state.queue.offerFirst(f);
  }

  /** Offers queued activations round robin to the pilots. */
  static <C> void drain(Turn<C> t) {
    if (t.state.queue.isEmpty() || t.state.pilots.isEmpty() || t.state.held) {
      return;
    }
    t.state.queue.drain(
        f -> {
          f.phase =
              Flight.Phase
                  .NEW; // the queue removes it when placed (or ended): finish must not remove it
          // too
          if (place(t, f, f.queuedAtMs) || f.phase == Flight.Phase.ENDED) {
            return true;
          }
          f.phase = Flight.Phase.QUEUED;
          return false;
        });
  }

  /** Ends queued activations that waited longer than the wait limit, naming the last refusal. */
  static <C> void expireWaiting(Turn<C> t) {
    long limit = t.policy.queueWaitMs();
    for (Flight<C> f : t.state.queue.removeIf(f -> t.nowMs - f.queuedAtMs > limit)) {
      f.phase = Flight.Phase.NEW;
      t.emit(
          new DispatchEffect.Count<>(Counter.QUEUE_WAIT, "", t.nowMs - f.activation.createdMs()));
      finish(
          t,
          f,
          "queue_timeout",
          "No pilot could take the activation within "
              + t.policy.queueWaitSeconds()
              + " s (balancer.queue-wait-seconds): "
              + f.lastRefusal
              + ".");
    }
  }

  /** Routes and sends; false (with the reason kept) when no pilot can take it now. */
  private static <C> boolean place(Turn<C> t, Flight<C> f, long queuedSince) {
    List<PilotView> views = new ArrayList<>(t.state.pilots.size());
    for (PilotEntry<C> p : t.state.pilots.values()) {
      if (p.ready) {
        views.add(p.view());
      }
    }
    if (!f.avoid.isEmpty()
        && views.stream().anyMatch(v -> !f.avoid.contains(v.id()) && v.health().acceptsWork())) {
      views.removeIf(v -> f.avoid.contains(v.id()));
    }
    Activation a = f.activation;
    RoutingDecision decision =
        Router.choose(
            views,
            new RoutingRequest(
                a.versionKey(),
                a.kind(),
                a.memoryMb(),
                Duration.ofMillis(a.timeoutMs()),
                a.namespace(),
                a.cores(),
                a.gpus()),
            t.now);
    if (decision instanceof RoutingDecision.Refused refused) {
      f.lastRefusal = refused.reason();
      t.count(Counter.ROUTING_REFUSAL, refused.cause().label());
      if (refused.cause() == RoutingDecision.Cause.TOO_LARGE) {
        finish(t, f, "too_large", "No pilot can run this action: " + refused.reason() + ".");
      }
      return false;
    }
    PilotEntry<C> p = t.state.pilots.get(((RoutingDecision.Routed) decision).pilotId());
    assign(f, p, t.nowMs + t.policy.ackTimeoutMs());
    if (queuedSince >= 0) {
      t.emit(new DispatchEffect.Count<>(Counter.QUEUE_WAIT, "", t.nowMs - queuedSince));
    }
    t.emit(new DispatchEffect.Activate<>(p.connection, p.id, f.id(), f.starts + 1));
    return true;
  }

  /**
   * Gives the flight to a pilot: reserves its memory, expects an acknowledgement by {@code
   * ackByMs}.
   */
  private static <C> void assign(Flight<C> f, PilotEntry<C> p, long ackByMs) {
    p.reservedMb += f.activation.memoryMb();
    p.reservedCores += f.activation.cores();
    p.reservedGpus += f.activation.gpus();
    p.flights.add(f.id());
    f.pilotId = p.id;
    f.via = p.connection;
    f.sentOn.add(p.connection);
    f.phase = Flight.Phase.SENT;
    f.triedOn.add(p.id);
    f.cancelledOn.remove(p.id);
    f.sends++;
    f.ackByMs = ackByMs;
  }

  /** Takes the flight off its pilot and frees the memory reserved for it there; it is then NEW. */
  static <C> void release(Turn<C> t, Flight<C> f) {
    if (!f.onPilot()) {
      return;
    }
    PilotEntry<C> p = t.state.current(f.pilotId, f.via);
    if (p != null && p.flights.remove(f.id())) {
      p.reservedMb -= f.activation.memoryMb();
      p.reservedCores -= f.activation.cores();
      p.reservedGpus -= f.activation.gpus();
    }
    f.pilotId = null;
    f.via = null;
    f.phase = Flight.Phase.NEW;
  }

  /**
   * Ends a flight once: releases its pilot's memory, takes it out of the queue, gives out the one
   * terminal effect (with the result being handled when {@code error} is null, else a whisk error).
   */
  static <C> void finish(Turn<C> t, Flight<C> f, String label, String error) {
    if (f.phase == Flight.Phase.ENDED) {
      return;
    }
    t.state.flights.remove(f.id());
    release(t, f);
    if (f.phase == Flight.Phase.QUEUED) {
      t.state.queue.remove(f);
    }
    f.phase = Flight.Phase.ENDED;
    t.emit(new DispatchEffect.Complete<>(f.id(), label, error));
  }
}
