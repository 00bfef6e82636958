package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.ActivationDispatcher;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.metrics.BalancerMetrics;
import io.hpcwhisk.balancer.pilots.PilotAdmission;
import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.balancer.pilots.PilotCredentials;
import io.hpcwhisk.balancer.pilots.PilotEvents;
import io.hpcwhisk.core.health.Health;
import io.hpcwhisk.core.health.HealthMachine;
import io.hpcwhisk.core.health.HealthPolicy;
import io.hpcwhisk.core.health.HealthSignal;
import io.hpcwhisk.core.health.PilotHealthState;
import io.hpcwhisk.core.routing.PilotView;
import io.hpcwhisk.core.routing.Router;
import io.hpcwhisk.core.routing.RoutingDecision;
import io.hpcwhisk.core.routing.RoutingRequest;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs activations on pilots: the balancer's {@link ActivationDispatcher}.
 *
 * <p><b>Algorithm.</b> An activation is offered to {@link Router#choose} over the registered pilots
 * that have sent their first heartbeat (a pilot may drop what arrives before it serves its connection);
 * when routed, its memory is reserved on the pilot and it is pushed as {@code activate}. The pilot must
 * acknowledge it ({@code accepted}) within {@code ackTimeout}; from then on it holds a lease of the
 * action's timeout plus {@code leaseSlack}. A {@code completed} ends it (first result wins), frees the
 * memory and offers the queue to the freed pilot. When no pilot can take it, it waits in a
 * {@link FairQueue} (bounded, round robin across namespaces) until capacity frees up or a pilot
 * registers, or ends after {@code queueWait} with a whisk error naming the last refusal. A pilot that
 * drains gets nothing new; what it hands back before acknowledging, and what was sent to a pilot that
 * is lost (connection closed, {@link HealthMachine} offline after 3 s silence) or did not acknowledge
 * in time, never started, so it is re-dispatched at once, ahead of the queue. What a lost pilot had
 * acknowledged (or handed back after acknowledging) may have run: it is re-run when the action is
 * retry-safe and has been started fewer than {@code maxAttempts} times, else it ends in a whisk error
 * "pilot preempted ...".
 *
 * <p><b>Example.</b> Pilots p1 (256 MB free) and p2 (0 MB free); a 256 MB activation a1 goes to p1;
 * a2 waits in the queue ("no_capacity"). p1 is SIGTERMed: it announces {@code draining}, finishes a1
 * and leaves; a2 stays queued (p1 drains, p2 is full) until p2 completes something or a new pilot
 * registers. Had p1 been SIGKILLed instead, its connection drops: a1 was acknowledged, so it is queued
 * again at the front if retry-safe, else it ends "pilot preempted: ...".
 *
 * <p><b>Guarantees.</b> Every dispatched activation's future completes exactly once (a flag under the
 * lock, then the future), so the API writes exactly one terminal record; late or duplicate results
 * are counted and dropped. Across a server restart the API's store re-dispatches what was pending.
 *
 * <p><b>Known caveats.</b> "Acknowledged" is taken as "started": the pilot acknowledges on receipt and
 * may still hold it in its own queue, so a non-retry-safe activation lost in that window fails rather
 * than runs; an unacknowledged activation re-dispatched after {@code ackTimeout} may still run on the
 * silent pilot (its result is then taken if it comes first, the other copy cancelled), so a slow pilot
 * can run an action twice. Memory is the balancer's own reservation; heartbeats do not correct it.
 */
public final class PilotDispatcher implements ActivationDispatcher, PilotEvents {

  private static final Logger LOG = LoggerFactory.getLogger(PilotDispatcher.class);

  private final ServerConfig.Pilots settings;
  private final PilotAdmission admission;
  private final InstantSource clock;
  private final Supplier<String> apiHost;
  private final BalancerMetrics metrics;
  private final HealthMachine health;
  private final Object lock = new Object();
  private final Map<String, PilotSlot> pilots = new LinkedHashMap<>();
  private final Map<String, Flight> flights = new HashMap<>();
  private final FairQueue<Flight> queue;
  private final PilotMeters meters;
  private boolean closed;
  /** When this dispatcher started: a pilot launched before it is reconnecting, not starting up. */
  private final long startedMs;

  public PilotDispatcher(ServerConfig.Pilots settings, PilotCredentials credentials, InstantSource clock,
      Supplier<String> apiHost, BalancerMetrics metrics) {
    this.settings = settings;
    this.admission = new PilotAdmission(credentials);
    this.clock = clock;
    this.apiHost = apiHost;
    this.metrics = metrics;
    this.health = new HealthMachine(new HealthPolicy(Duration.ofMillis(settings.offlineAfterMs()),
        HealthPolicy.DEFAULT.window(), HealthPolicy.DEFAULT.maxFailures()));
    this.queue = new FairQueue<>(settings.maxQueued(), Flight::namespace);
    this.meters = new PilotMeters(metrics.registry());
    this.startedMs = clock.millis();
  }

  // ---------------------------------------------------------------- dispatch

  @Override
  public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
    Flight flight = new Flight(request, clock.millis(), System.nanoTime());
    List<Runnable> after = new ArrayList<>(1);
    synchronized (lock) {
      if (flights.containsKey(request.activationId())) {
        throw new IllegalStateException("activation " + request.activationId() + " is already being dispatched");
      }
      flights.put(flight.id(), flight);
      if (closed) {
        // left pending in the store: the next start re-dispatches it
        return flight.result;
      }
      if (queue.isEmpty() && place(flight, after, -1)) {
        queue.served(flight.namespace());
      } else {
        if (!flight.done && !flight.queued()) {
          enqueue(flight, after);
        }
        drainQueue(after);
      }
      meters.queueLength(queue.size());
    }
    after.forEach(Runnable::run);
    return flight.result;
  }

  private void enqueue(Flight flight, List<Runnable> after) {
    flight.queuedAtMs = clock.millis();
    if (!queue.offer(flight)) {
      flight.queuedAtMs = -1;
      finish(flight, RunOutcome.whiskError("The balancer's queue is full (" + settings.maxQueued()
          + " activations wait for a pilot); try again later.", clock.millis()), "queue_full", after);
    }
  }

  /** Offers queued activations round robin to the pilots. */
  private void drainQueue(List<Runnable> after) {
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

  /** Routes and sends; false (with the reason kept) when no pilot can take it now. */
  private boolean place(Flight f, List<Runnable> after, long queuedSince) {
    List<PilotView> views = new ArrayList<>(pilots.size());
    for (PilotSlot slot : pilots.values()) {
      if (slot.ready) {
        views.add(slot.view());
      }
    }
    if (!f.avoid.isEmpty() && views.stream().anyMatch(v -> !f.avoid.contains(v.id()) && v.health().acceptsWork())) {
      views.removeIf(v -> f.avoid.contains(v.id()));
    }
    Instant now = clock.instant();
    RoutingDecision decision = Router.choose(views, new RoutingRequest(f.versionKey(), f.request.exec().kind(),
        f.memoryMb(), Duration.ofMillis(f.request.limits().timeout())), now);
    if (decision instanceof RoutingDecision.Refused refused) {
      f.lastRefusal = refused.reason();
      metrics.refusal(refused.cause().label());
      if (refused.cause() == RoutingDecision.Cause.TOO_LARGE) {
        finish(f, RunOutcome.whiskError("No pilot can run this action: " + refused.reason() + ".", now.toEpochMilli()),
            "too_large", after);
      }
      return false;
    }
    PilotSlot slot = pilots.get(((RoutingDecision.Routed) decision).pilotId());
    slot.reservedMb += f.memoryMb();
    slot.flights.add(f.id());
    f.pilotId = slot.id;
    f.acknowledged = false;
    f.triedOn.add(slot.id);
    long nowMs = now.toEpochMilli();
    f.ackByMs = nowMs + settings.ackTimeoutMs();
    if (queuedSince >= 0) {
      metrics.queueWait(nowMs - queuedSince);
    }
    slot.connection.send(new BalancerMessage.Activate(ActivationMessages.toPilot(f.request, f.versionKey(),
        apiHost.get(), f.createdMs, nowMs, f.starts + 1)));
    return true;
  }

  /** Ends a flight once: releases its pilot's memory, takes it out of the queue, completes the future. */
  private void finish(Flight f, RunOutcome outcome, String label, List<Runnable> after) {
    if (f.done) {
      return;
    }
    f.done = true;
    flights.remove(f.id());
    release(f);
    if (f.queued()) {
      queue.remove(f);
      f.queuedAtMs = -1;
    }
    metrics.activation(label);
    long nanos = System.nanoTime() - f.createdNanos;
    metrics.latency(nanos, outcome.end() - outcome.start());
    after.add(() -> f.result.complete(outcome));
  }

  private void release(Flight f) {
    if (f.pilotId == null) {
      return;
    }
    PilotSlot slot = pilots.get(f.pilotId);
    if (slot != null && slot.flights.remove(f.id())) {
      slot.reservedMb -= f.memoryMb();
    }
    f.pilotId = null;
    f.acknowledged = false;
  }

  /** Takes a flight back from its pilot: re-dispatch at once if it never started or may run again, else fail. */
  private void takeBack(Flight f, boolean mayHaveStarted, String cause, String why, List<Runnable> after) {
    String pilot = f.pilotId;
    if (pilot != null) {
      f.avoid.add(pilot);
    }
    release(f);
    var failure = RetryRule.decide(mayHaveStarted, f.request.retrySafe(), f.starts, settings.maxAttempts(), pilot, why);
    if (failure.isPresent()) {
      finish(f, RunOutcome.whiskError(failure.get(), clock.millis()), "pilot_preempted", after);
      return;
    }
    metrics.redispatch(cause);
    f.queuedAtMs = clock.millis();
    queue.offerFirst(f);
  }

  // ---------------------------------------------------------------- pilot events

  @Override
  public String register(PilotConnection connection, PilotMessage.Register register, String bearerToken)
      throws Refusal {
    admission.admit(register, bearerToken);
    List<Runnable> after = new ArrayList<>();
    String id = register.pilotId();
    synchronized (lock) {
      if (closed) {
        throw new Refusal("the balancer is stopping");
      }
      PilotSlot old = pilots.get(id);
      if (old == null && register.launchedAtMs() >= startedMs) {
        metrics.pilotStartup(clock.millis() - register.launchedAtMs());
      }
      if (old != null) {
        lose(old, "re-registered over a new connection", after);
        old.connection.close(1000, "replaced by a new connection");
      }
      PilotSlot slot = new PilotSlot(id, connection, register, PilotHealthState.registered(clock.instant()));
      pilots.put(id, slot);
      meters.add(slot);
      connection.send(new BalancerMessage.Registered(id, settings.heartbeatMs(), clock.millis()));
      LOG.info("pilot {} registered from {} (job {}, node {}, {} MB, {} CPUs, kinds {}, deadline {})", id,
          connection.remote(), register.jobId(), register.node(), register.memoryMb(), register.cpus(),
          register.kinds(), Instant.ofEpochMilli(register.deadlineMs()));
      drainQueue(after);
      updateGauges();
    }
    after.forEach(Runnable::run);
    return id;
  }

  @Override
  public void message(String pilotId, PilotConnection connection, PilotMessage message) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      PilotSlot slot = pilots.get(pilotId);
      if (closed || slot == null || slot.connection != connection) {
        if (message instanceof PilotMessage.Completed c) {
          completed(pilotId, null, c, after); // a result over a stale connection still counts
        }
      } else if (message instanceof PilotMessage.Heartbeat h) {
        slot.health = health.next(slot.health, new HealthSignal.Heartbeat(clock.instant()));
        slot.ready = true;
        slot.warm(h.warm());
        slot.reported = h.metrics();
        if (h.draining() && !slot.draining) {
          slot.draining = true;
        }
        drainQueue(after);
      } else if (message instanceof PilotMessage.Accepted a) {
        Flight f = flights.get(a.activationId());
        if (f != null && pilotId.equals(f.pilotId) && !f.acknowledged) {
          f.acknowledged = true;
          f.starts++;
          f.leaseUntilMs = clock.millis() + f.request.limits().timeout() + settings.leaseSlackMs();
        }
      } else if (message instanceof PilotMessage.Completed c) {
        completed(pilotId, slot, c, after);
      } else if (message instanceof PilotMessage.HandBack h) {
        for (String id : h.activationIds()) {
          Flight f = flights.get(id);
          if (f != null && pilotId.equals(f.pilotId)) {
            takeBack(f, f.acknowledged, f.acknowledged ? "handed_back_started" : "handed_back",
                "handed it back (" + h.reason() + ")", after);
          }
        }
        drainQueue(after);
      } else if (message instanceof PilotMessage.Draining d) {
        slot.draining = true;
        LOG.info("pilot {} drains: {}", pilotId, d.reason());
      } else if (message instanceof PilotMessage.Leaving l) {
        slot.leaving = true;
        LOG.info("pilot {} leaves: {}", pilotId, l.reason());
      } else if (message instanceof PilotMessage.Register) {
        LOG.warn("pilot {} registered twice on one connection; ignored", pilotId);
      }
      updateGauges();
      meters.queueLength(queue.size());
    }
    after.forEach(Runnable::run);
  }

  private void completed(String pilotId, PilotSlot slot, PilotMessage.Completed c, List<Runnable> after) {
    Flight f = flights.get(c.outcome().activationId());
    if (f == null || !f.triedOn.contains(pilotId)) {
      metrics.lateResult();
      return;
    }
    String holder = f.pilotId;
    if (holder != null && !holder.equals(pilotId)) {
      PilotSlot other = pilots.get(holder);
      if (other != null) {
        other.connection.send(new BalancerMessage.Cancel(f.id(), "an earlier attempt on " + pilotId + " ended it"));
      }
    }
    if (slot != null) {
      HealthSignal.Outcome o = c.outcome().status() == ActivationStatus.WHISK_ERROR
          ? HealthSignal.Outcome.SYSTEM_ERROR : HealthSignal.Outcome.OK;
      slot.health = health.next(slot.health, new HealthSignal.ActivationEnded(clock.instant(), o));
    }
    finish(f, ActivationMessages.fromPilot(c.outcome()), label(c.outcome().status()), after);
    drainQueue(after);
  }

  private static String label(ActivationStatus status) {
    return status.text().replace(' ', '_');
  }

  @Override
  public void closed(String pilotId, PilotConnection connection, String reason) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      PilotSlot slot = pilots.get(pilotId);
      if (closed || slot == null || slot.connection != connection) {
        return;
      }
      lose(slot, slot.leaving ? "left (" + reason + ")" : "was lost (" + reason + ")", after);
      drainQueue(after);
      updateGauges();
      meters.queueLength(queue.size());
    }
    after.forEach(Runnable::run);
  }

  /** Removes a pilot and takes back everything it held. */
  private void lose(PilotSlot slot, String why, List<Runnable> after) {
    pilots.remove(slot.id);
    meters.remove(slot);
    if (slot.leaving && slot.flights.isEmpty()) {
      LOG.info("pilot {} {}", slot.id, why);
    } else {
      LOG.warn("pilot {} {} holding {} activations", slot.id, why, slot.flights.size());
    }
    for (String id : List.copyOf(slot.flights)) {
      Flight f = flights.get(id);
      if (f != null) {
        takeBack(f, f.acknowledged, f.acknowledged ? "pilot_lost_started" : "pilot_lost", why, after);
      }
    }
  }

  // ---------------------------------------------------------------- time

  /** Health ticks, acknowledgement and lease expiry, queue wait limit; call every ~100 ms. */
  public void tick() {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      Instant now = clock.instant();
      long nowMs = now.toEpochMilli();
      for (PilotSlot slot : List.copyOf(pilots.values())) {
        Health before = slot.health.health();
        slot.health = health.next(slot.health, new HealthSignal.Tick(now));
        if (slot.health.health() == Health.OFFLINE) {
          lose(slot, "is offline (" + slot.health.reason() + ")", after);
          slot.connection.close(1001, "offline: " + slot.health.reason());
        } else if (before != slot.health.health()) {
          LOG.warn("pilot {} is {}: {}", slot.id, slot.health.health(), slot.health.reason());
        }
      }
      for (Flight f : List.copyOf(flights.values())) {
        if (f.pilotId == null || f.done) {
          continue;
        }
        PilotSlot slot = pilots.get(f.pilotId);
        if (!f.acknowledged && nowMs > f.ackByMs) {
          timedOut(slot, now);
          if (slot != null) {
            slot.connection.send(new BalancerMessage.Cancel(f.id(), "not acknowledged in time"));
          }
          takeBack(f, false, "ack_timeout", "did not acknowledge in " + settings.ackTimeoutMs() + " ms", after);
        } else if (f.acknowledged && nowMs > f.leaseUntilMs) {
          timedOut(slot, now);
          takeBack(f, true, "lease_expired", "did not report it within its lease (timeout + "
              + settings.leaseSlackMs() + " ms)", after);
        }
      }
      long limit = settings.queueWaitSeconds() * 1000L;
      for (Flight f : queue.removeIf(f -> nowMs - f.queuedAtMs > limit)) {
        f.queuedAtMs = -1;
        metrics.queueWait(nowMs - f.createdMs);
        finish(f, RunOutcome.whiskError("No pilot could take the activation within " + settings.queueWaitSeconds()
            + " s (balancer.queue-wait-seconds): " + f.lastRefusal + ".", nowMs), "queue_timeout", after);
      }
      drainQueue(after);
      updateGauges();
      meters.queueLength(queue.size());
    }
    after.forEach(Runnable::run);
  }

  private void timedOut(PilotSlot slot, Instant now) {
    if (slot != null) {
      slot.health = health.next(slot.health, new HealthSignal.ActivationEnded(now, HealthSignal.Outcome.TIMEOUT));
    }
  }

  private void updateGauges() {
    meters.pilots(pilots.values());
  }

  // ---------------------------------------------------------------- views

  /** A consistent snapshot for tests and logs. */
  public record Snapshot(int pilots, int queued, int inFlight, Map<String, Integer> reservedMbByPilot) {}

  public Snapshot snapshot() {
    synchronized (lock) {
      Map<String, Integer> reserved = new LinkedHashMap<>();
      pilots.values().forEach(p -> reserved.put(p.id, p.reservedMb));
      return new Snapshot(pilots.size(), queue.size(), flights.size(), reserved);
    }
  }

  /** The registered pilots: pilot id to Slurm job id (for the controller's reconciliation). */
  public Map<String, String> registeredJobs() {
    synchronized (lock) {
      Map<String, String> jobs = new LinkedHashMap<>();
      pilots.values().forEach(p -> jobs.put(p.id, p.register.jobId()));
      return jobs;
    }
  }

  /** Asks a pilot to drain (the controller scales down); false if it is not registered. */
  public boolean drain(String pilotId, String reason) {
    synchronized (lock) {
      PilotSlot slot = pilots.get(pilotId);
      if (slot == null) {
        return false;
      }
      slot.draining = true;
      slot.connection.send(new BalancerMessage.Drain(reason));
      return true;
    }
  }

  @Override
  public String description() {
    synchronized (lock) {
      return "pilots (" + pilots.size() + " registered; connect to " + io.hpcwhisk.protocol.PilotProtocol.PATH + ")";
    }
  }

  /**
   * Stops: closes pilot connections and completes nothing more, so activations still queued or on
   * pilots stay pending in the store and are re-dispatched at the next start.
   */
  @Override
  public void close() {
    List<PilotSlot> all;
    synchronized (lock) {
      closed = true;
      all = List.copyOf(pilots.values());
      pilots.clear();
    }
    for (PilotSlot slot : all) {
      meters.remove(slot);
      slot.connection.close(1001, "balancer stopping");
    }
  }
}
