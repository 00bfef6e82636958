package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.DeviceRequest;
import io.hpcwhisk.balancer.invoke.ActivationDispatcher;
import io.hpcwhisk.balancer.invoke.OwnershipLost;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.metrics.BalancerMetrics;
import io.hpcwhisk.balancer.pilots.PilotAdmission;
import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.balancer.pilots.PilotEvents;
import io.hpcwhisk.core.dispatch.Activation;
import io.hpcwhisk.core.dispatch.DispatchEffect;
import io.hpcwhisk.core.dispatch.DispatchEvent;
import io.hpcwhisk.core.dispatch.DispatchMachine;
import io.hpcwhisk.core.dispatch.DispatchPolicy;
import io.hpcwhisk.core.dispatch.DispatchState;
import io.hpcwhisk.core.dispatch.FairQueue;
import io.hpcwhisk.core.dispatch.PilotEntry;
import io.hpcwhisk.core.dispatch.PilotSpec;
import io.hpcwhisk.core.health.HealthPolicy;
import io.hpcwhisk.core.routing.Router;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs activations on pilots: the balancer's {@link ActivationDispatcher}.
 *
 * <p><b>Algorithm.</b> An activation is offered to {@link Router#choose} over the registered pilots
 * that have sent their first heartbeat (a pilot may drop what arrives before it serves its
 * connection); when routed, its memory is reserved on the pilot and it is pushed as {@code
 * activate}. The pilot must acknowledge it ({@code accepted}) within {@code ackTimeout}; from then
 * on it holds a lease of the action's timeout plus {@code leaseSlack}, renewed by {@code started}
 * (the runtime begins running it). A {@code completed} ends it, frees the memory and offers the
 * queue to the freed pilot. When no pilot can take it, it waits in a {@link FairQueue} (bounded,
 * round robin across namespaces) until capacity frees up or a pilot registers, or ends after {@code
 * queueWait} with a whisk error naming the last refusal. A pilot that drains gets nothing new. What
 * is taken back from a pilot (handed back, pilot lost, no acknowledgement in time, lease expired)
 * is re-dispatched at once, ahead of the queue, if it had not started — {@code started} from the
 * pilot or the hand-back's per-activation flag; an acknowledgement alone is not a start — and the
 * pilot that may still hold it is told to {@code cancel} it (its late result is dropped). A started
 * one is re-run when the action is retry-safe and has started fewer than {@code maxAttempts} times,
 * else it ends "pilot preempted ...". A runtime start failure makes the pilot unhealthy and moves a
 * retry-safe activation to another pilot (bounded), else ends it with a whisk error naming the
 * cause. Unresponsive pilots are probed with {@code ping}; a {@code pong} makes them healthy again.
 *
 * <p><b>Example.</b> Pilots p1 (256 MB free) and p2 (0 MB free); a 256 MB activation a1 goes to p1;
 * a2 waits in the queue ("no_capacity"). p1 is SIGTERMed: it announces {@code draining}, finishes
 * a1 and leaves; a2 stays queued (p1 drains, p2 is full) until p2 completes something or a new
 * pilot registers. Had p1 been SIGKILLed instead, its connection drops: if p1 had reported a1
 * {@code started} it is queued again at the front if retry-safe, else it ends "pilot preempted:
 * ..."; if not, it goes again at once whatever the action.
 *
 * <p><b>Guarantees.</b> Every dispatched activation's future completes exactly once (a flag under
 * the lock, then the future), so the API writes exactly one terminal record; late, cancelled or
 * duplicate results are counted and dropped. Across a server restart the API's store re-dispatches
 * what was pending.
 *
 * <p><b>Connections, not ids.</b> A pilot id belongs to the connection that registered it while
 * that connection is open: a second registration for it is refused ({@code id_in_use}, before
 * admission, "try again later") until the holder's connection closes or the holder is declared
 * offline (no heartbeat for {@code offlineAfterMs}; a half-open connection thus locks its pilot out
 * for at most that long plus the pilot's reconnect backoff). Nothing is sent to a connection before
 * its registration was admitted, and work only after its first heartbeat. An activation is
 * acknowledged, started or handed back only by the connection holding it; its result counts only
 * from a connection it was sent over (the first such result wins, as before). Anything else about
 * it is dropped and counted ({@code whisk_pilot_messages_dropped}), whatever pilot id the sender
 * registered under.
 *
 * <p><b>Structure.</b> The rules are core's {@link DispatchMachine}: every call here turns into one
 * {@link DispatchEvent}, and this class is the shell that holds the one lock around the machine's
 * step and carries out its {@link DispatchEffect}s — frames to pilots, closes, metrics, logs —
 * under it, and completes the activations' futures after it (the API then writes the one terminal
 * record). It also keeps what the rules do not need: each activation's request and future, each
 * pilot's reported counters and meters.
 *
 * <p><b>Known caveats.</b> A pilot that is really partitioned may start an activation that was
 * already re-dispatched before the {@code cancel} reaches it (or lose its {@code started} with the
 * connection): the action then runs twice with one record, and the double run is counted when the
 * balancer learns of it over the connection it was sent on (a report over the pilot's next
 * connection is dropped as {@code earlier_connection}, and so is a result the pilot finishes after
 * reconnecting: the re-dispatched run's result is the record). Memory is the balancer's own
 * reservation; heartbeats do not correct it.
 */
public final class PilotDispatcher implements ActivationDispatcher, PilotEvents {

  private static final Logger LOG = LoggerFactory.getLogger(PilotDispatcher.class);

  private final ServerConfig.Pilots settings;
  private final PilotAdmission admission;
  private final InstantSource clock;
  private final Supplier<String> apiHost;
  private final BalancerMetrics metrics;
  private final Object lock = new Object();
  private final PilotMeters meters;
  private final DispatchMachine<PilotConnection> machine;
  private final DispatchState<PilotConnection> state;

  /** What the rules do not need about each activation they own: its request and future. */
  private final Map<String, Ticket> tickets = new HashMap<>();

  /** Per registered pilot: its meters and what it last reported. */
  private final Map<String, PilotSlot> slots = new HashMap<>();

  private final RateLimitedLog drops;

  /**
   * Per connection, kept outside the lock: when a frame from it last arrived and how many of its
   * frames are being handled now (waiting for the lock or under it). A pilot whose frame waits for
   * the lock is alive: its next frames stay unread until that one is handled, so that silence is
   * the balancer's, not the pilot's ({@link #tick} counts it as heard at the tick's time).
   */
  private final Map<PilotConnection, Hearing> hearings = new ConcurrentHashMap<>();

  /** When a connection was last heard from, outside the lock. */
  private static final class Hearing {
    private volatile long lastMs;
    private final AtomicInteger handling = new AtomicInteger();

    synchronized void heard(long ms) {
      if (ms > lastMs) {
        lastMs = ms;
      }
    }

    /** When it was last heard from, or {@code nowMs} while one of its frames is being handled. */
    long heardAt(long nowMs) {
      return handling.get() > 0 ? nowMs : lastMs;
    }
  }

  /**
   * Dispatch across servers ({@link ClusterDispatcher}): told which pilot each activation is sent
   * to, and given the results pilots report for activations this server does not hold (a pilot that
   * moved here from a lost server); both called outside the lock. No-ops unless set.
   */
  public interface CrossServer {
    void sent(String activationId, String pilotId);

    void unheld(String pilotId, PilotMessage.Completed result);
  }

  private volatile CrossServer crossServer;

  /** Sets the {@link CrossServer} hooks (once, before pilots connect). */
  public void crossServer(CrossServer hooks) {
    this.crossServer = hooks;
  }

  private volatile Runnable pilotChange = () -> {};

  /** Under the lock: whether the machine is held for a lapsed fence, and what waits meanwhile. */
  private final FenceBook book = new FenceBook();

  /** Sets (once) {@link ClusterDispatcher}'s ownership lease, checked before every event. */
  public void fence(BooleanSupplier holds) {
    book.fence(holds);
  }

  /**
   * Sets what runs (outside the lock) after a pilot registered or a pilot's connection ended: the
   * system server wakes the harvest controller with it, so its next pass comes at the fast
   * interval.
   */
  public void onPilotChange(Runnable hook) {
    this.pilotChange = hook;
  }

  /** When this dispatcher started: a pilot launched before it is reconnecting, not starting up. */
  private final long startedMs;

  /** One activation's side of the shell: what the API handed in and waits on. */
  private record Ticket(
      RunRequest request,
      String versionKey,
      CompletableFuture<RunOutcome> result,
      long createdMs,
      long createdNanos) {}

  public PilotDispatcher(
      ServerConfig.Pilots settings,
      PilotAdmission admission,
      InstantSource clock,
      Supplier<String> apiHost,
      BalancerMetrics metrics) {
    this.settings = settings;
    this.admission = admission;
    this.clock = clock;
    this.apiHost = apiHost;
    this.metrics = metrics;
    this.meters = new PilotMeters(metrics.registry());
    this.machine = new DispatchMachine<>(policy(settings));
    this.state = machine.initial();
    this.startedMs = clock.millis();
    this.drops = new RateLimitedLog(LOG, clock, 10_000);
  }

  /** The dispatch rules' numbers from the {@code balancer.*} settings. */
  static DispatchPolicy policy(ServerConfig.Pilots settings) {
    return new DispatchPolicy(
        healthPolicy(settings),
        settings.ackTimeoutMs(),
        settings.leaseSlackMs(),
        settings.maxQueued(),
        settings.queueWaitSeconds() * 1000L,
        settings.maxAttempts());
  }

  /**
   * Offline after {@code offlineAfterMs} of silence; unresponsive after two thirds of it, but never
   * before three heartbeat intervals were missed (else the silence rule is off).
   */
  static HealthPolicy healthPolicy(ServerConfig.Pilots settings) {
    Duration offline = Duration.ofMillis(settings.offlineAfterMs());
    Duration twoThirds = offline.multipliedBy(2).dividedBy(3);
    Duration threeBeats = Duration.ofMillis(3L * settings.heartbeatMs());
    Duration unresponsive =
        twoThirds.compareTo(threeBeats) >= 0
            ? twoThirds
            : (threeBeats.compareTo(offline) < 0 ? threeBeats : offline);
    return new HealthPolicy(
        offline,
        unresponsive,
        HealthPolicy.DEFAULT.window(),
        HealthPolicy.DEFAULT.maxFailures(),
        HealthPolicy.DEFAULT.startFailureCooldown());
  }

  // ---------------------------------------------------------------- dispatch

  /** The most cores and GPUs a registered pilot offered since the start. */
  private final DeviceRequest.Seen largest = new DeviceRequest.Seen();

  @Override
  public DeviceRequest.Largest largestPilot() {
    return largest.get();
  }

  @Override
  public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
    long createdMs = clock.millis();
    String versionKey = request.action().path() + "@" + request.version();
    Ticket ticket =
        new Ticket(request, versionKey, new CompletableFuture<>(), createdMs, System.nanoTime());
    Activation activation =
        new Activation(
            request.activationId(),
            request.namespace(),
            versionKey,
            request.exec().kind(),
            request.limits().memory(),
            request.limits().timeout(),
            request.retrySafe(),
            createdMs,
            request.limits().cores(),
            request.gpus());
    List<Runnable> after = new ArrayList<>(1);
    synchronized (lock) {
      Instant now = clock.instant();
      fenceCheck(now, after);
      DispatchMachine.Step<PilotConnection> step =
          machine.next(state, new DispatchEvent.Submitted<>(activation), now);
      tickets.put(activation.id(), ticket);
      carry(step, null, now, after);
      meters.queueLength(state.queued());
    }
    after.forEach(Runnable::run);
    return ticket.result();
  }

  // ---------------------------------------------------------------- fencing

  /** Under the lock, before an event: holds the machine once the fence no longer holds. */
  private void fenceCheck(Instant now, List<Runnable> after) {
    if (!state.stopped() && book.lapsedNow()) {
      carry(machine.next(state, new DispatchEvent.Held<>(), now), null, now, after);
    }
  }

  /** Holds dispatch now if the fence no longer holds (the reconciliation calls it first). */
  public void hold() {
    synchronized (lock) {
      fenceCheck(clock.instant(), new ArrayList<>()); // holding gives no effect to carry after
    }
  }

  /** While held: the activations held here (parked ones too) not yet found still owned. */
  public Set<String> unchecked() {
    synchronized (lock) {
      return book.fenced ? book.unchecked(tickets.keySet()) : Set.of();
    }
  }

  /**
   * While held: {@code lost} end with {@link OwnershipLost} (a pilot holding one is told to cancel
   * it); once everything held was checked, dispatch resumes and parked results go on (true).
   */
  public boolean resume(Set<String> checkedNow, Set<String> lost, String reason) {
    List<Runnable> after = new ArrayList<>();
    boolean resumed;
    synchronized (lock) {
      if (!book.fenced) {
        return true;
      }
      Instant now = clock.instant();
      Set<String> inMachine = book.dropParked(lost, reason, after);
      inMachine.retainAll(tickets.keySet());
      if (!inMachine.isEmpty()) {
        carry(
            machine.next(state, new DispatchEvent.Disowned<>(inMachine, reason), now),
            null,
            now,
            after);
      }
      resumed = book.settle(checkedNow, lost, tickets.keySet(), after);
      if (resumed) {
        carry(machine.next(state, new DispatchEvent.Resumed<>(), now), null, now, after);
      }
      gauges();
    }
    after.forEach(Runnable::run);
    return resumed;
  }

  // ---------------------------------------------------------------- pilot events

  @Override
  public String register(
      PilotConnection connection, PilotMessage.Register register, String bearerToken)
      throws Refusal {
    String id = register.pilotId();
    synchronized (lock) {
      // before admission: an attempt on a live id is refused without checking (or binding) its
      // credential
      refuseIfAsked(
          machine.next(
              state,
              new DispatchEvent.Claimed<>(id, connection, holderOpen(id, connection)),
              clock.instant()));
    }
    try {
      admission.admit(register, bearerToken);
    } catch (Refusal refusal) {
      meters.refused(PilotMeters.REFUSED_ADMISSION);
      throw refusal;
    }
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      boolean fresh = state.holderOtherThan(id, connection) == null;
      Instant now = clock.instant();
      fenceCheck(now, after);
      PilotSpec spec =
          new PilotSpec(
              id,
              register.jobId(),
              register.memoryMb(),
              register.kinds(),
              register.warm(),
              register.deadlineMs(),
              register.onlyNamespace(),
              register.minor(),
              register.cpus(),
              register.gpuIds().size());
      largest.record(register.cpus(), register.gpuIds().size());
      DispatchMachine.Step<PilotConnection> step =
          machine.next(
              state,
              new DispatchEvent.Registered<>(spec, connection, holderOpen(id, connection)),
              now);
      refuseIfAsked(step);
      if (fresh && register.launchedAtMs() >= startedMs) {
        metrics.pilotStartup(clock.millis() - register.launchedAtMs());
      }
      carry(step, null, now, after);
      after.add(pilotChange);
      LOG.info(
          "pilot {} registered from {} (job {}, node {}, {} MB, {} CPUs, GPUs {}, kinds {},"
              + " deadline {})",
          id,
          connection.remote(),
          register.jobId(),
          register.node(),
          register.memoryMb(),
          register.cpus(),
          register.gpuIds(),
          register.kinds(),
          Instant.ofEpochMilli(register.deadlineMs()));
      gauges();
    }
    after.forEach(Runnable::run);
    return id;
  }

  /**
   * Whether {@code id} is registered over another connection that is still open. A half-open
   * connection counts as open until the pilot is declared offline ({@code offlineAfterMs} without a
   * heartbeat; then {@link #tick} removes it and closes the connection), so the real pilot's
   * reconnect gets in within that time plus its backoff, and nobody can take a live pilot's id.
   */
  private boolean holderOpen(String id, PilotConnection connection) {
    PilotConnection holder = state.holderOtherThan(id, connection);
    return holder != null && holder.isOpen();
  }

  private void refuseIfAsked(DispatchMachine.Step<PilotConnection> step) throws Refusal {
    for (DispatchEffect<PilotConnection> effect : step.effects()) {
      if (effect instanceof DispatchEffect.Refuse<PilotConnection> refuse) {
        meters.refused(refuse.meterReason());
        throw new Refusal(refuse.reason(), refuse.retryLater());
      }
    }
  }

  @Override
  public void message(String pilotId, PilotConnection connection, PilotMessage message) {
    // liveness is taken when the frame arrives, before the lock: a frame that waits for the lock
    // (a burst's dispatches hold it) must not make its live pilot look silent
    Hearing hearing = hearings.computeIfAbsent(connection, c -> new Hearing());
    long receivedMs = clock.millis();
    hearing.heard(receivedMs);
    hearing.handling.incrementAndGet();
    try {
      handle(pilotId, connection, message, Instant.ofEpochMilli(receivedMs));
    } finally {
      hearing.handling.decrementAndGet();
      // its next frame could not be read before this one was handled
      hearing.heard(clock.millis());
    }
  }

  private void handle(
      String pilotId, PilotConnection connection, PilotMessage message, Instant received) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      fenceCheck(received, after);
      // any frame from the pilot counts as liveness, not only a heartbeat
      carry(
          machine.next(state, new DispatchEvent.Heard<>(pilotId, connection, received), received),
          null,
          received,
          after);
      if (message instanceof PilotMessage.Heartbeat h
          && !state.stopped()
          && state.current(pilotId, connection) != null) {
        meters.heartbeat();
        PilotSlot slot = slots.get(pilotId);
        if (slot != null) {
          slot.reported = h.metrics();
        }
      }
      Instant now = clock.instant();
      PilotMessage.Completed result = message instanceof PilotMessage.Completed c ? c : null;
      boolean held = result != null && tickets.containsKey(result.outcome().activationId());
      carry(
          machine.next(state, PilotMessageEvents.of(pilotId, connection, message), now),
          result,
          now,
          after);
      CrossServer hooks = crossServer;
      if (result != null && !held && hooks != null) {
        after.add(() -> hooks.unheld(pilotId, result));
      }
      gauges();
    }
    after.forEach(Runnable::run);
  }

  @Override
  public void closed(String pilotId, PilotConnection connection, String reason) {
    hearings.remove(connection);
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      Instant now = clock.instant();
      fenceCheck(now, after);
      carry(
          machine.next(state, new DispatchEvent.Closed<>(pilotId, connection, reason), now),
          null,
          now,
          after);
      after.add(pilotChange);
      gauges();
    }
    after.forEach(Runnable::run);
  }

  // ---------------------------------------------------------------- time

  /** Health ticks, acknowledgement and lease expiry, queue wait limit; call every ~100 ms. */
  public void tick() {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (state.stopped()) {
        return;
      }
      Instant now = clock.instant();
      fenceCheck(now, after);
      // first what was heard outside the lock: frames that arrived (or wait for this lock) since
      // the pilot's last recorded heartbeat
      long nowMs = now.toEpochMilli();
      hearings.keySet().removeIf(c -> !c.isOpen());
      Set<String> handling = new HashSet<>();
      for (PilotEntry<PilotConnection> p : List.copyOf(state.pilots())) {
        Hearing hearing = hearings.get(p.connection());
        if (hearing != null && hearing.handling.get() > 0) {
          handling.add(p.id());
        }
        if (hearing != null) {
          long heardMs = Math.min(hearing.heardAt(nowMs), nowMs);
          if (heardMs > p.health().lastHeartbeat().toEpochMilli()) {
            carry(
                machine.next(
                    state,
                    new DispatchEvent.Heard<>(
                        p.id(), p.connection(), Instant.ofEpochMilli(heardMs)),
                    now),
                null,
                now,
                after);
          }
        }
      }
      carry(machine.next(state, new DispatchEvent.Tick<>(handling), now), null, now, after);
      gauges();
    }
    after.forEach(Runnable::run);
  }

  // ---------------------------------------------------------------- effects

  /**
   * Carries out a step's effects in order under the lock; the futures are completed by {@code
   * after}, outside it. {@code result} is the {@code completed} being handled, whose outcome a
   * {@link DispatchEffect.Complete} without an error stands for.
   */
  private void carry(
      DispatchMachine.Step<PilotConnection> step,
      PilotMessage.Completed result,
      Instant now,
      List<Runnable> after) {
    long nowMs = now.toEpochMilli();
    for (DispatchEffect<PilotConnection> effect : step.effects()) {
      if (effect instanceof DispatchEffect.Activate<PilotConnection> a) {
        Ticket t = tickets.get(a.activationId());
        a.to()
            .send(
                new BalancerMessage.Activate(
                    ActivationMessages.toPilot(
                        t.request(),
                        t.versionKey(),
                        apiHost.get(),
                        t.createdMs(),
                        nowMs,
                        a.attempt())));
        book.checkSent(a.activationId(), a.pilotId());
        CrossServer hooks = crossServer;
        if (hooks != null) {
          after.add(() -> hooks.sent(a.activationId(), a.pilotId()));
        }
      } else if (effect instanceof DispatchEffect.Complete<PilotConnection> c) {
        complete(c, result, nowMs, after);
      } else if (effect instanceof DispatchEffect.Count<PilotConnection> c) {
        count(c);
      } else if (effect instanceof DispatchEffect.Cancel<PilotConnection> c) {
        c.to().send(new BalancerMessage.Cancel(c.activationId(), c.reason()));
      } else if (effect instanceof DispatchEffect.Ping<PilotConnection> p) {
        p.to().send(new BalancerMessage.Ping(p.nonce()));
      } else if (effect instanceof DispatchEffect.Welcome<PilotConnection> w) {
        w.to()
            .send(
                new BalancerMessage.Registered(
                    w.pilotId(), settings.heartbeatMs(), nowMs, PilotProtocol.MINOR));
      } else if (effect instanceof DispatchEffect.Drain<PilotConnection> d) {
        d.to().send(new BalancerMessage.Drain(d.reason()));
      } else if (effect instanceof DispatchEffect.Forget<PilotConnection> f) {
        f.to()
            .send(new BalancerMessage.Forget(f.actionPath(), "the action was deleted or replaced"));
      } else if (effect instanceof DispatchEffect.Close<PilotConnection> c) {
        c.to().close(c.code(), c.reason());
      } else if (effect instanceof DispatchEffect.Joined<PilotConnection> j) {
        PilotSlot slot = new PilotSlot(j.pilot());
        PilotSlot old = slots.put(slot.id(), slot);
        if (old != null) {
          meters.remove(old);
        }
        meters.add(slot);
      } else if (effect instanceof DispatchEffect.Left<PilotConnection> l) {
        PilotSlot slot = slots.get(l.pilot().id());
        if (slot != null && slot.entry == l.pilot()) {
          slots.remove(slot.id());
          meters.remove(slot);
        }
      } else if (effect instanceof DispatchEffect.Dropped<PilotConnection> d) {
        dropped(d);
      } else if (effect instanceof DispatchEffect.Log<PilotConnection> l) {
        if (l.warn()) {
          LOG.warn(l.text());
        } else {
          LOG.info(l.text());
        }
      }
    }
  }

  private void complete(
      DispatchEffect.Complete<PilotConnection> c,
      PilotMessage.Completed result,
      long nowMs,
      List<Runnable> after) {
    Ticket t = tickets.remove(c.activationId());
    metrics.activation(c.label());
    long latencyNanos = System.nanoTime() - t.createdNanos();
    boolean withResult = c.withResult();
    String error = c.error();
    var pilotOutcome = withResult ? result.outcome() : null;
    if (DispatchEffect.DISOWNED.equals(c.label())) {
      after.add(() -> t.result().completeExceptionally(new OwnershipLost(c.activationId(), error)));
      return;
    }
    // the result's JSON is turned into the API's response after the lock, not under it
    Runnable completion =
        () -> {
          RunOutcome outcome =
              withResult
                  ? ActivationMessages.fromPilot(pilotOutcome)
                  : RunOutcome.whiskError(error, nowMs);
          metrics.latency(latencyNanos, outcome.end() - outcome.start());
          t.result().complete(outcome);
        };
    if (book.fenced) {
      book.park(c.activationId(), t.result(), completion);
    } else {
      after.add(completion);
    }
  }

  private void count(DispatchEffect.Count<PilotConnection> c) {
    switch (c.counter()) {
      case REDISPATCH -> metrics.redispatch(c.label());
      case ROUTING_REFUSAL -> metrics.refusal(c.label());
      case LATE_RESULT -> metrics.lateResult();
      case CANCELLED_RESULT -> meters.cancelledResult();
      case START_AFTER_CANCEL -> meters.startAfterCancel();
      case PROBE -> meters.probe();
      case QUEUE_WAIT -> metrics.queueWait(c.amount());
      default -> throw new IllegalStateException("unknown counter " + c.counter());
    }
  }

  /**
   * Counts a dropped message and logs it (rate-limited per reason): a pilot can make this happen at
   * will.
   */
  private void dropped(DispatchEffect.Dropped<PilotConnection> d) {
    meters.dropped(d.reason());
    if (d.activationId() == null) {
      drops.warn(
          d.reason(),
          "dropped a {} from pilot {} at {}: its connection no longer holds the registration",
          d.what(),
          d.pilotId(),
          d.from().remote());
    } else {
      drops.warn(
          d.reason(),
          "dropped '{}' for activation {} from pilot {} at {}: not sent over that connection ({})",
          d.what(),
          d.activationId(),
          d.pilotId(),
          d.from().remote(),
          d.reason());
    }
  }

  private void gauges() {
    meters.pilots(state.pilots());
    meters.queueLength(state.queued());
  }

  // ---------------------------------------------------------------- views

  /** A consistent snapshot for tests and logs. */
  public record Snapshot(
      int pilots, int queued, int inFlight, Map<String, Integer> reservedMbByPilot) {}

  public Snapshot snapshot() {
    synchronized (lock) {
      return new Snapshot(
          state.pilots().size(), state.queued(), state.inFlight(), state.reservedMbByPilot());
    }
  }

  /** The registered pilots: pilot id to Slurm job id (for the controller's reconciliation). */
  public Map<String, String> registeredJobs() {
    synchronized (lock) {
      Map<String, String> jobs = new LinkedHashMap<>();
      for (PilotEntry<PilotConnection> p : state.pilots()) {
        jobs.put(p.id(), p.spec().jobId());
      }
      return jobs;
    }
  }

  /** Asks a pilot to drain (the controller scales down); false if it is not registered. */
  public boolean drain(String pilotId, String reason) {
    synchronized (lock) {
      if (state.pilot(pilotId) == null) {
        return false;
      }
      Instant now = clock.instant();
      carry(
          machine.next(state, new DispatchEvent.DrainAsked<>(pilotId, reason), now),
          null,
          now,
          new ArrayList<>());
      return true;
    }
  }

  @Override
  public String description() {
    synchronized (lock) {
      return "pilots ("
          + state.pilots().size()
          + " registered; connect to "
          + PilotProtocol.PATH
          + ")";
    }
  }

  /**
   * Tells every registered pilot to remove its idle runtimes of {@code actionPath} (deleted or
   * replaced).
   */
  @Override
  public void forget(String actionPath) {
    synchronized (lock) {
      Instant now = clock.instant();
      carry(
          machine.next(state, new DispatchEvent.Forgotten<>(actionPath), now),
          null,
          now,
          new ArrayList<>());
    }
  }

  /**
   * Stops: closes pilot connections and completes nothing more, so activations still queued or on
   * pilots stay pending in the store and are re-dispatched at the next start.
   */
  @Override
  public void close() {
    List<DispatchEffect.Close<PilotConnection>> closes = new ArrayList<>();
    synchronized (lock) {
      Instant now = clock.instant();
      DispatchMachine.Step<PilotConnection> step =
          machine.next(state, new DispatchEvent.Stopped<>(), now);
      List<DispatchEffect<PilotConnection>> rest = new ArrayList<>();
      for (DispatchEffect<PilotConnection> effect : step.effects()) {
        if (effect instanceof DispatchEffect.Close<PilotConnection> c) {
          closes.add(c);
        } else {
          rest.add(effect);
        }
      }
      carry(new DispatchMachine.Step<>(state, rest), null, now, new ArrayList<>());
    }
    for (DispatchEffect.Close<PilotConnection> c : closes) {
      c.to().close(c.code(), c.reason());
    }
  }

  /**
   * The longest timeout among the activations waiting in the queue, in ms; 0 when none waits. The
   * harvest controller's demand signal ({@code LongActionDemand}).
   */
  public long longestQueuedTimeoutMs() {
    synchronized (lock) {
      return state.longestQueuedTimeoutMs();
    }
  }
}
