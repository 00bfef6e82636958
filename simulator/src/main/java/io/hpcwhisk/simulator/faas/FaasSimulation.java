package io.hpcwhisk.simulator.faas;

import io.hpcwhisk.core.dispatch.Activation;
import io.hpcwhisk.core.dispatch.DispatchEffect;
import io.hpcwhisk.core.dispatch.DispatchEvent;
import io.hpcwhisk.core.dispatch.DispatchMachine;
import io.hpcwhisk.core.dispatch.DispatchPolicy;
import io.hpcwhisk.core.dispatch.DispatchState;
import io.hpcwhisk.core.dispatch.PilotSpec;
import io.hpcwhisk.core.health.HealthPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Replays activations against the pilots of one batch run through the balancer's own dispatch rules
 * (core's {@link DispatchMachine}); the model and its caveats are stated in
 * docs/simulator-guide.md, "FaaS layer (--invocations)".
 */
public final class FaasSimulation {

  private static final String KIND = "nodejs:20";

  /** A health policy under which silence never makes a simulated pilot unresponsive or offline. */
  private static final HealthPolicy NEVER_SILENT =
      new HealthPolicy(
          Duration.ofDays(365_000),
          Duration.ofDays(365_000),
          HealthPolicy.DEFAULT.window(),
          HealthPolicy.DEFAULT.maxFailures(),
          HealthPolicy.DEFAULT.startFailureCooldown());

  private final int pilotMemoryMb;
  private final long coldStartMs;
  private final long queueTimeoutMs;
  private final long actionTimeoutMs;
  private final DispatchMachine<SimPilot> machine;
  private final DispatchState<SimPilot> state;
  private final PriorityQueue<Ev> events =
      new PriorityQueue<>(
          (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final Map<String, SimPilot> live = new LinkedHashMap<>();

  /** Activations the machine owns, by id. */
  private final Map<String, Pending> pending = new HashMap<>();

  /** Events the simulated pilots answer with at once (acknowledgement, start report). */
  private final ArrayDeque<DispatchEvent<SimPilot>> inbox = new ArrayDeque<>();

  private final Histogram latency = new Histogram(3_600_000_000L, 3);
  private long arrivals;
  private long succeeded;
  private long queued;
  private long timedOut;
  private long redispatched;
  private long failed;
  private long seq;
  private long maxLatency;
  private long ids;

  /**
   * @param pilotMemoryMb memory each pilot offers for actions
   * @param coldStartMs extra time of a run without a warm runtime
   * @param queueTimeoutMs how long an activation may wait for a pilot before it times out
   * @param actionTimeoutMs the actions' time limit, which the router compares with the pilots'
   *     deadlines
   */
  public FaasSimulation(
      int pilotMemoryMb, long coldStartMs, long queueTimeoutMs, long actionTimeoutMs) {
    this(pilotMemoryMb, coldStartMs, queueTimeoutMs, actionTimeoutMs, 3);
  }

  /** As above, with the balancer's {@code max-attempts} (default 3). */
  public FaasSimulation(
      int pilotMemoryMb,
      long coldStartMs,
      long queueTimeoutMs,
      long actionTimeoutMs,
      int maxAttempts) {
    this.pilotMemoryMb = pilotMemoryMb;
    this.coldStartMs = coldStartMs;
    this.queueTimeoutMs = queueTimeoutMs;
    this.actionTimeoutMs = actionTimeoutMs;
    this.machine =
        new DispatchMachine<>(
            new DispatchPolicy(
                NEVER_SILENT, 2000, 10_000, Integer.MAX_VALUE, queueTimeoutMs, maxAttempts));
    this.state = machine.initial();
  }

  private static final int READY = 0;
  private static final int STOP = 1;
  private static final int DONE = 2;
  private static final int GONE = 3;
  private static final int TICK = 4;
  private static final int HAND_BACK = 5;

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
        arrive(next);
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
    timedOut += state.queued();
    return new FaasResult(
        arrivals,
        succeeded,
        queued,
        timedOut,
        redispatched,
        failed,
        latency.getValueAtPercentile(50),
        latency.getValueAtPercentile(90),
        latency.getValueAtPercentile(99),
        maxLatency);
  }

  private void push(long time, int kind, Object ref) {
    events.add(new Ev(time, seq++, kind, ref));
  }

  private void arrive(Invocation inv) {
    long now = inv.arrivalMs();
    Pending p = new Pending(inv, Long.toString(ids++));
    pending.put(p.id, p);
    apply(
        new DispatchEvent.Submitted<>(
            new Activation(
                p.id,
                null,
                inv.action(),
                KIND,
                inv.memoryMb(),
                actionTimeoutMs,
                inv.retrySafe(),
                now)),
        now);
    if (state.flight(p.id) != null && state.flight(p.id).pilotId() == null) {
      queued++;
      push(now + queueTimeoutMs + 1, TICK, null);
    }
  }

  private void handle(long now, int kind, Object ref) {
    switch (kind) {
      case READY -> {
        PilotInterval interval = (PilotInterval) ref;
        SimPilot p = new SimPilot(interval);
        live.put(interval.id(), p);
        apply(
            new DispatchEvent.Registered<>(
                new PilotSpec(
                    interval.id(),
                    interval.id(),
                    pilotMemoryMb,
                    List.of(KIND),
                    Map.of(),
                    interval.deadlineMs(),
                    null,
                    1),
                p,
                false),
            now);
        apply(new DispatchEvent.Heartbeat<>(interval.id(), p, Map.of(), false), now);
      }
      case STOP -> {
        PilotInterval interval = (PilotInterval) ref;
        SimPilot p = live.get(interval.id());
        if (p == null) {
          return;
        }
        apply(new DispatchEvent.Draining<>(p.id(), p, "SIGTERM"), now);
        // hand back after every pilot stopped at this instant announced its drain (Slurm signals a
        // preemptor's
        // victims together): what it hands back then cannot land on a pilot that leaves with it
        push(now, HAND_BACK, p);
      }
      case HAND_BACK -> {
        SimPilot p = (SimPilot) ref;
        List<DispatchEvent.HandedBack.Item> back = new ArrayList<>();
        for (Running r : List.copyOf(p.running)) {
          if (r.endMs > p.interval.goneMs()) {
            r.cancelled = true;
            p.running.remove(r);
            back.add(new DispatchEvent.HandedBack.Item(r.pending.id, true));
          }
        }
        if (!back.isEmpty()) {
          apply(
              new DispatchEvent.HandedBack<>(
                  p.id(), p, back, "the pilot leaves before they can finish"),
              now);
        }
        push(p.interval.goneMs(), GONE, p);
      }
      case GONE -> {
        SimPilot p = (SimPilot) ref;
        live.remove(p.id());
        apply(new DispatchEvent.Leaving<>(p.id(), p, "its job ends"), now);
        apply(new DispatchEvent.Closed<>(p.id(), p, "left"), now);
      }
      case DONE -> {
        Running r = (Running) ref;
        if (r.cancelled) {
          return;
        }
        SimPilot p = r.pilot;
        p.running.remove(r);
        String action = r.pending.invocation.action();
        p.warm.remove(action);
        p.warm.add(action);
        while (p.warm.size() > Math.max(1, pilotMemoryMb / r.pending.invocation.memoryMb())) {
          p.warm.remove(p.warm.iterator().next());
        }
        Map<String, Integer> warm = new HashMap<>();
        p.warm.forEach(a -> warm.put(a, 1));
        apply(new DispatchEvent.Heartbeat<>(p.id(), p, warm, false), now);
        apply(new DispatchEvent.Completed<>(p.id(), p, r.pending.id, "success", false, null), now);
      }
      case TICK -> apply(new DispatchEvent.Tick<>(), now);
      default -> throw new IllegalStateException("unknown event " + kind);
    }
  }

  /** Feeds one event and whatever the simulated pilots answer at once, carrying out the effects. */
  private void apply(DispatchEvent<SimPilot> event, long now) {
    Instant at = Instant.ofEpochMilli(now);
    inbox.add(event);
    while (!inbox.isEmpty()) {
      for (DispatchEffect<SimPilot> effect : machine.next(state, inbox.poll(), at).effects()) {
        carry(effect, now);
      }
    }
  }

  private void carry(DispatchEffect<SimPilot> effect, long now) {
    if (effect instanceof DispatchEffect.Activate<SimPilot> a) {
      SimPilot p = a.to();
      Pending pend = pending.get(a.activationId());
      Invocation inv = pend.invocation;
      boolean warm = p.warm.contains(inv.action());
      Running r = new Running(pend, p, now + inv.durationMs() + (warm ? 0 : coldStartMs));
      p.running.add(r);
      push(r.endMs, DONE, r);
      inbox.add(new DispatchEvent.Accepted<>(p.id(), p, pend.id));
      inbox.add(new DispatchEvent.Started<>(p.id(), p, pend.id));
    } else if (effect instanceof DispatchEffect.Complete<SimPilot> c) {
      Pending pend = pending.remove(c.activationId());
      if (c.withResult()) {
        succeeded++;
        long ms = Math.max(0, now - pend.invocation.arrivalMs());
        latency.recordValue(ms);
        maxLatency = Math.max(maxLatency, ms);
      } else if (c.label().equals("queue_timeout")) {
        timedOut++;
      } else {
        failed++;
      }
    } else if (effect instanceof DispatchEffect.Count<SimPilot> c
        && c.counter() == DispatchEffect.Counter.REDISPATCH) {
      redispatched++;
      push(now + queueTimeoutMs + 1, TICK, null); // it waits again, with a fresh limit
    }
  }

  private record Ev(long time, long seq, int kind, Object ref) {}

  private static final class Pending {
    final Invocation invocation;
    final String id;

    Pending(Invocation invocation, String id) {
      this.invocation = invocation;
      this.id = id;
    }
  }

  /**
   * A simulated pilot: the machine's connection handle for it, with its warm runtimes and running
   * work.
   */
  private static final class SimPilot {
    final PilotInterval interval;
    final Set<String> warm = new LinkedHashSet<>();
    final List<Running> running = new ArrayList<>();

    SimPilot(PilotInterval interval) {
      this.interval = interval;
    }

    String id() {
      return interval.id();
    }
  }

  private static final class Running {
    final Pending pending;
    final SimPilot pilot;
    final long endMs;
    boolean cancelled;

    Running(Pending pending, SimPilot pilot, long endMs) {
      this.pending = pending;
      this.pilot = pilot;
      this.endMs = endMs;
    }
  }
}
