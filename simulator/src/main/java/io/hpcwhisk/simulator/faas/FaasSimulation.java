package io.hpcwhisk.simulator.faas;

import io.hpcwhisk.core.health.Health;
import io.hpcwhisk.core.routing.PilotView;
import io.hpcwhisk.core.routing.Router;
import io.hpcwhisk.core.routing.RoutingDecision;
import io.hpcwhisk.core.routing.RoutingRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Replays activations against the pilots of one batch run.
 *
 * <p><b>Algorithm.</b> Events in time order: a pilot becomes ready (joins the routing set), an activation arrives,
 * an activation completes (frees its memory, leaves a warm runtime), a pilot gets SIGTERM or reaches its end (leaves
 * the routing set; activations that cannot finish before it is gone are re-dispatched at once, keeping their
 * arrival time). Each arrival and each freed capacity calls the production {@link Router#choose}; a refusal that
 * waiting can cure queues the activation (FIFO) until {@code queueTimeout} after its arrival, when it times out; a
 * TOO_LARGE refusal fails it. A cold start (no warm runtime on the chosen pilot) adds {@code coldStart}.
 *
 * <p><b>Example.</b> One pilot ready from 20 s to 600 s with 512 MB; two 256 MB activations of 1 s at 100 s both
 * start at once (the second one cold as well), a third one waits for the first to finish.
 *
 * <p><b>Known caveats.</b> The pilot's drain time is fixed by the batch run (not by the work in flight); every
 * action is treated as retry-safe; health is always HEALTHY while a pilot is in the routing set.
 */
public final class FaasSimulation {

  private static final String KIND = "nodejs:20";
  private final int pilotMemoryMb;
  private final long coldStartMs;
  private final long queueTimeoutMs;
  private final Duration actionTimeout;
  private final PriorityQueue<Ev> events = new PriorityQueue<>((a, b) -> a.time != b.time
      ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final Map<String, Live> live = new LinkedHashMap<>();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Histogram latency = new Histogram(3_600_000_000L, 3);
  private long arrivals;
  private long succeeded;
  private long queued;
  private long timedOut;
  private long redispatched;
  private long failed;
  private long seq;
  private long maxLatency;

  /**
   * @param pilotMemoryMb memory each pilot offers for actions
   * @param coldStartMs extra time of a run without a warm runtime
   * @param queueTimeoutMs how long an activation may wait for a pilot before it times out
   * @param actionTimeoutMs the actions' time limit, which the router compares with the pilots' deadlines
   */
  public FaasSimulation(int pilotMemoryMb, long coldStartMs, long queueTimeoutMs, long actionTimeoutMs) {
    this.pilotMemoryMb = pilotMemoryMb;
    this.coldStartMs = coldStartMs;
    this.queueTimeoutMs = queueTimeoutMs;
    this.actionTimeout = Duration.ofMillis(actionTimeoutMs);
  }

  private static final int READY = 0;
  private static final int STOP = 1;
  private static final int DONE = 2;
  private static final int ARRIVE = 3;

  public FaasResult run(List<PilotInterval> pilots, Iterator<Invocation> invocations, long endMs) {
    for (PilotInterval p : pilots) {
      if (p.readyMs() < p.stopMs()) {
        push(p.readyMs(), READY, p);
        push(p.stopMs(), STOP, p);
      }
    }
    Invocation next = invocations.hasNext() ? invocations.next() : null;
    while (true) {
      long eventTime = events.isEmpty() ? Long.MAX_VALUE : events.peek().time;
      if (next != null && next.arrivalMs() <= eventTime && next.arrivalMs() <= endMs) {
        arrivals++;
        arrive(new Pending(next, next.arrivalMs()), next.arrivalMs());
        next = invocations.hasNext() ? invocations.next() : null;
        continue;
      }
      if (events.isEmpty()) {
        break;
      }
      Ev e = events.poll();
      handle(e.time, e.kind, e.ref);
    }
    while (next != null && next.arrivalMs() <= endMs) {
      arrivals++;
      queued++;
      timedOut++;
      next = invocations.hasNext() ? invocations.next() : null;
    }
    timedOut += queue.size();
    queue.clear();
    return new FaasResult(arrivals, succeeded, queued, timedOut, redispatched, failed,
        latency.getValueAtPercentile(50), latency.getValueAtPercentile(90), latency.getValueAtPercentile(99),
        maxLatency);
  }

  private void push(long time, int kind, Object ref) {
    events.add(new Ev(time, seq++, kind, ref));
  }

  private void handle(long now, int kind, Object ref) {
    switch (kind) {
      case READY -> {
        PilotInterval p = (PilotInterval) ref;
        live.put(p.id(), new Live(p));
        drainQueue(now);
      }
      case STOP -> {
        PilotInterval p = (PilotInterval) ref;
        Live gone = live.remove(p.id());
        if (gone != null) {
          for (Running r : gone.running) {
            if (r.endMs > p.goneMs()) {
              r.cancelled = true;
              redispatched++;
              queue.addFirst(r.pending);
            }
          }
          drainQueue(now);
        }
      }
      case DONE -> {
        Running r = (Running) ref;
        if (r.cancelled) {
          return;
        }
        r.pilot.freeMb += r.pending.invocation.memoryMb();
        r.pilot.running.remove(r);
        r.pilot.warm.remove(r.pending.invocation.action());
        r.pilot.warm.add(r.pending.invocation.action());
        while (r.pilot.warm.size() > Math.max(1, pilotMemoryMb / r.pending.invocation.memoryMb())) {
          r.pilot.warm.remove(r.pilot.warm.iterator().next());
        }
        succeeded++;
        long ms = Math.max(0, now - r.pending.arrivalMs);
        latency.recordValue(ms);
        maxLatency = Math.max(maxLatency, ms);
        drainQueue(now);
      }
      default -> throw new IllegalStateException("unknown event " + kind);
    }
  }

  private void arrive(Pending p, long now) {
    if (!queue.isEmpty() || !tryRoute(p, now)) {
      if (p.state == 0) {
        p.state = 1;
        queued++;
        queue.addLast(p);
      }
    }
  }

  private void drainQueue(long now) {
    while (!queue.isEmpty()) {
      Pending head = queue.peekFirst();
      if (now - head.arrivalMs > queueTimeoutMs) {
        queue.pollFirst();
        timedOut++;
        continue;
      }
      if (!tryRoute(head, now)) {
        return;
      }
      queue.pollFirst();
    }
  }

  /** Routes one activation now; false when it must wait (or failed for good, then it is counted). */
  private boolean tryRoute(Pending p, long now) {
    if (live.isEmpty()) {
      return false;
    }
    List<PilotView> views = new ArrayList<>(live.size());
    for (Live l : live.values()) {
      views.add(new PilotView(l.interval.id(), Health.HEALTHY, false, pilotMemoryMb, l.freeMb, Set.of(KIND),
          l.warm, Instant.ofEpochMilli(l.interval.deadlineMs())));
    }
    Invocation inv = p.invocation;
    RoutingDecision decision = Router.choose(views, new RoutingRequest(inv.action(), KIND, inv.memoryMb(),
        actionTimeout), Instant.ofEpochMilli(now));
    if (decision instanceof RoutingDecision.Routed routed) {
      Live pilot = live.get(routed.pilotId());
      boolean warm = pilot.warm.contains(inv.action());
      pilot.freeMb -= inv.memoryMb();
      Running r = new Running(p, pilot, now + inv.durationMs() + (warm ? 0 : coldStartMs));
      pilot.running.add(r);
      push(r.endMs, DONE, r);
      return true;
    }
    RoutingDecision.Refused refused = (RoutingDecision.Refused) decision;
    if (refused.cause() == RoutingDecision.Cause.TOO_LARGE) {
      failed++;
      return true;
    }
    return false;
  }

  private record Ev(long time, long seq, int kind, Object ref) {}

  private static final class Pending {
    final Invocation invocation;
    final long arrivalMs;
    int state;

    Pending(Invocation invocation, long arrivalMs) {
      this.invocation = invocation;
      this.arrivalMs = arrivalMs;
    }
  }

  private final class Live {
    final PilotInterval interval;
    int freeMb = pilotMemoryMb;
    final Set<String> warm = new LinkedHashSet<>();
    final List<Running> running = new ArrayList<>();

    Live(PilotInterval interval) {
      this.interval = interval;
    }
  }

  private static final class Running {
    final Pending pending;
    final Live pilot;
    final long endMs;
    boolean cancelled;

    Running(Pending pending, Live pilot, long endMs) {
      this.pending = pending;
      this.pilot = pilot;
      this.endMs = endMs;
    }
  }
}
