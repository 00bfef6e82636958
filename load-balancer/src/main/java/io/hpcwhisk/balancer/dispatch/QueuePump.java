package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.metrics.BalancerMetrics;
import io.hpcwhisk.core.routing.PilotView;
import io.hpcwhisk.core.routing.Router;
import io.hpcwhisk.core.routing.RoutingDecision;
import io.hpcwhisk.core.routing.RoutingRequest;
import io.hpcwhisk.protocol.BalancerMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;

/**
 * Places activations on pilots and pumps the wait queue: routes with {@link Router#choose} over the
 * routable pilots (avoiding pilots that already failed the activation while others can take work),
 * assigns and sends {@code activate}; what cannot be placed waits in the {@link FairQueue} until a
 * pilot frees up or registers, or ends after the wait limit. Not thread-safe; guarded by the
 * dispatcher's lock.
 */
final class QueuePump {

  private final ServerConfig.Pilots settings;
  private final InstantSource clock;
  private final Supplier<String> apiHost;
  private final BalancerMetrics metrics;
  private final PilotTable pilots;
  private final FlightLedger ledger;
  private final FairQueue<Flight> queue;

  QueuePump(ServerConfig.Pilots settings, InstantSource clock, Supplier<String> apiHost, BalancerMetrics metrics,
      PilotTable pilots, FlightLedger ledger, FairQueue<Flight> queue) {
    this.settings = settings;
    this.clock = clock;
    this.apiHost = apiHost;
    this.metrics = metrics;
    this.pilots = pilots;
    this.ledger = ledger;
    this.queue = queue;
  }

  int size() {
    return queue.size();
  }

  /** A new activation: sent at once if nothing waits and a pilot can take it, else queued behind the others. */
  void submit(Flight flight, List<Runnable> after) {
    if (queue.isEmpty() && place(flight, after, -1)) {
      queue.served(flight.namespace());
    } else {
      if (!flight.done && !flight.queued()) {
        enqueue(flight, after);
      }
      drain(after);
    }
  }

  private void enqueue(Flight flight, List<Runnable> after) {
    flight.queuedAtMs = clock.millis();
    if (!queue.offer(flight)) {
      flight.queuedAtMs = -1;
      ledger.finish(flight, RunOutcome.whiskError("The balancer's queue is full (" + settings.maxQueued()
          + " activations wait for a pilot); try again later.", clock.millis()), "queue_full", after);
    }
  }

  /** Puts a taken-back activation at the front of the queue (it goes before new work). */
  void requeueFirst(Flight flight) {
    flight.queuedAtMs = clock.millis();
    queue.offerFirst(flight);
  }

  /** Offers queued activations round robin to the pilots. */
  void drain(List<Runnable> after) {
    if (queue.isEmpty() || pilots.isEmpty()) {
      return;
    }
    queue.drain(f -> {
      long since = f.queuedAtMs;
      f.queuedAtMs = -1; // the queue removes it when placed (or ended): finish must not remove it too
      if (place(f, after, since) || f.done) {
        return true;
      }
      f.queuedAtMs = since;
      return false;
    });
  }

  /** Ends queued activations that waited longer than the wait limit, naming the last refusal. */
  void expireWaiting(long nowMs, List<Runnable> after) {
    long limit = settings.queueWaitSeconds() * 1000L;
    for (Flight f : queue.removeIf(f -> nowMs - f.queuedAtMs > limit)) {
      f.queuedAtMs = -1;
      metrics.queueWait(nowMs - f.createdMs);
      ledger.finish(f, RunOutcome.whiskError("No pilot could take the activation within " + settings.queueWaitSeconds()
          + " s (balancer.queue-wait-seconds): " + f.lastRefusal + ".", nowMs), "queue_timeout", after);
    }
  }

  /** Routes and sends; false (with the reason kept) when no pilot can take it now. */
  private boolean place(Flight f, List<Runnable> after, long queuedSince) {
    List<PilotView> views = pilots.routable();
    if (!f.avoid.isEmpty() && views.stream().anyMatch(v -> !f.avoid.contains(v.id()) && v.health().acceptsWork())) {
      views.removeIf(v -> f.avoid.contains(v.id()));
    }
    Instant now = clock.instant();
    RoutingDecision decision = Router.choose(views, new RoutingRequest(f.versionKey(), f.request.exec().kind(),
        f.memoryMb(), Duration.ofMillis(f.request.limits().timeout()), f.request.namespace()), now);
    if (decision instanceof RoutingDecision.Refused refused) {
      f.lastRefusal = refused.reason();
      metrics.refusal(refused.cause().label());
      if (refused.cause() == RoutingDecision.Cause.TOO_LARGE) {
        ledger.finish(f, RunOutcome.whiskError("No pilot can run this action: " + refused.reason() + ".",
            now.toEpochMilli()), "too_large", after);
      }
      return false;
    }
    PilotSlot slot = pilots.get(((RoutingDecision.Routed) decision).pilotId());
    long nowMs = now.toEpochMilli();
    ledger.assign(f, slot, nowMs + settings.ackTimeoutMs());
    if (queuedSince >= 0) {
      metrics.queueWait(nowMs - queuedSince);
    }
    slot.connection.send(new BalancerMessage.Activate(ActivationMessages.toPilot(f.request, f.versionKey(),
        apiHost.get(), f.createdMs, nowMs, f.starts + 1)));
    return true;
  }
}
