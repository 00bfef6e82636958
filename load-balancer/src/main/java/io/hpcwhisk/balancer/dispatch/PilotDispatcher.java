package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.invoke.ActivationDispatcher;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.metrics.BalancerMetrics;
import io.hpcwhisk.balancer.pilots.PilotAdmission;
import io.hpcwhisk.balancer.pilots.PilotConnection;
import io.hpcwhisk.balancer.pilots.PilotEvents;
import io.hpcwhisk.core.health.HealthMachine;
import io.hpcwhisk.core.health.HealthPolicy;
import io.hpcwhisk.core.health.HealthSignal;
import io.hpcwhisk.core.health.PilotHealthState;
import io.hpcwhisk.core.routing.Router;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
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
 * action's timeout plus {@code leaseSlack}, renewed by {@code started} (protocol minor 1: the runtime
 * begins running it). A {@code completed} ends it, frees the memory and offers the queue to the freed
 * pilot. When no pilot can take it, it waits in a {@link FairQueue} (bounded, round robin across
 * namespaces) until capacity frees up or a pilot registers, or ends after {@code queueWait} with a
 * whisk error naming the last refusal. A pilot that drains gets nothing new. What is taken back from a
 * pilot (handed back, pilot lost, no acknowledgement in time, lease expired) is re-dispatched at once,
 * ahead of the queue, if it had not started — {@code started} from a minor-1 pilot, the hand-back's
 * per-activation flag, or for a minor-0 pilot its acknowledgement — and the pilot that may still hold
 * it is told to {@code cancel} it (its late result is dropped). A started one is re-run when the action
 * is retry-safe and has started fewer than {@code maxAttempts} times, else it ends "pilot preempted
 * ...". A runtime start failure makes the pilot unhealthy and moves a retry-safe activation to another
 * pilot (bounded), else ends it with a whisk error naming the cause. Unresponsive pilots are probed
 * with {@code ping}; a {@code pong} makes them healthy again.
 *
 * <p><b>Example.</b> Pilots p1 (256 MB free) and p2 (0 MB free); a 256 MB activation a1 goes to p1;
 * a2 waits in the queue ("no_capacity"). p1 is SIGTERMed: it announces {@code draining}, finishes a1
 * and leaves; a2 stays queued (p1 drains, p2 is full) until p2 completes something or a new pilot
 * registers. Had p1 been SIGKILLed instead, its connection drops: if p1 had reported a1 {@code started}
 * it is queued again at the front if retry-safe, else it ends "pilot preempted: ..."; if not, it goes
 * again at once whatever the action.
 *
 * <p><b>Guarantees.</b> Every dispatched activation's future completes exactly once (a flag under the
 * lock, then the future), so the API writes exactly one terminal record; late, cancelled or duplicate
 * results are counted and dropped. Across a server restart the API's store re-dispatches what was
 * pending.
 *
 * <p><b>Connections, not ids.</b> A pilot id belongs to the connection that registered it while that
 * connection is open: a second registration for it is refused ({@code id_in_use}, before admission,
 * "try again later") until the holder's connection closes or the holder is declared offline (no
 * heartbeat for {@code offlineAfterMs}; a half-open connection thus locks its pilot out for at most
 * that long plus the pilot's reconnect backoff). Nothing is sent to a connection before its
 * registration was admitted, and work only after its first heartbeat. An activation is acknowledged,
 * started or handed back only by the connection holding it; its result counts only from a connection
 * it was sent over (the first such result wins, as before). Anything else about it is dropped and
 * counted ({@code whisk_pilot_messages_dropped}), whatever pilot id the sender registered under.
 *
 * <p><b>Structure.</b> This class is the facade and holds the one lock; the parts it guards are
 * {@link PilotTable} (registered pilots, their health and probes), {@link FlightLedger} (activations in
 * flight, acknowledgements, starts, leases, the single {@code finish}), {@link QueuePump} (routing,
 * sending, the wait queue) and {@link Redispatcher} (hand-back, loss, expiry and start-failure decisions).
 *
 * <p><b>Known caveats.</b> A minor-0 pilot cannot say whether it started an activation, so what it
 * acknowledged counts as started. A pilot that is really partitioned may start an activation that was
 * already re-dispatched before the {@code cancel} reaches it (or lose its {@code started} with the
 * connection): the action then runs twice with one record, and the double run is counted when the
 * balancer learns of it over the connection it was sent on (a report over the pilot's next connection
 * is dropped as {@code earlier_connection}, and so is a result the pilot finishes after reconnecting:
 * the re-dispatched run's result is the record). Memory is the balancer's own reservation; heartbeats
 * do not correct it.
 */
public final class PilotDispatcher implements ActivationDispatcher, PilotEvents {

  private static final Logger LOG = LoggerFactory.getLogger(PilotDispatcher.class);

  private final ServerConfig.Pilots settings;
  private final PilotAdmission admission;
  private final InstantSource clock;
  private final BalancerMetrics metrics;
  private final Object lock = new Object();
  private final PilotMeters meters;
  private final PilotTable pilots;
  private final FlightLedger ledger;
  private final QueuePump pump;
  private final Redispatcher redispatcher;
  private final RateLimitedLog drops;
  private boolean closed;
  /** When this dispatcher started: a pilot launched before it is reconnecting, not starting up. */
  private final long startedMs;

  public PilotDispatcher(ServerConfig.Pilots settings, PilotAdmission admission, InstantSource clock,
      Supplier<String> apiHost, BalancerMetrics metrics) {
    this.settings = settings;
    this.admission = admission;
    this.clock = clock;
    this.metrics = metrics;
    HealthMachine health = new HealthMachine(healthPolicy(settings));
    FairQueue<Flight> queue = new FairQueue<>(settings.maxQueued(), Flight::namespace);
    this.meters = new PilotMeters(metrics.registry());
    this.pilots = new PilotTable(health, meters);
    this.ledger = new FlightLedger(pilots, queue, metrics);
    this.pump = new QueuePump(settings, clock, apiHost, metrics, pilots, ledger, queue);
    this.redispatcher = new Redispatcher(settings, clock, metrics, pilots, ledger, pump);
    this.startedMs = clock.millis();
    this.drops = new RateLimitedLog(LOG, clock, 10_000);
  }

  /**
   * Offline after {@code offlineAfterMs} of silence; unresponsive after two thirds of it, but never
   * before three heartbeat intervals were missed (else the silence rule is off).
   */
  static HealthPolicy healthPolicy(ServerConfig.Pilots settings) {
    Duration offline = Duration.ofMillis(settings.offlineAfterMs());
    Duration twoThirds = offline.multipliedBy(2).dividedBy(3);
    Duration threeBeats = Duration.ofMillis(3L * settings.heartbeatMs());
    Duration unresponsive = twoThirds.compareTo(threeBeats) >= 0 ? twoThirds
        : (threeBeats.compareTo(offline) < 0 ? threeBeats : offline);
    return new HealthPolicy(offline, unresponsive, HealthPolicy.DEFAULT.window(), HealthPolicy.DEFAULT.maxFailures(),
        HealthPolicy.DEFAULT.startFailureCooldown());
  }

  // ---------------------------------------------------------------- dispatch

  @Override
  public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
    Flight flight = new Flight(request, clock.millis(), System.nanoTime());
    List<Runnable> after = new ArrayList<>(1);
    synchronized (lock) {
      ledger.add(flight);
      if (closed) {
        // left pending in the store: the next start re-dispatches it
        return flight.result;
      }
      pump.submit(flight, after);
      meters.queueLength(pump.size());
    }
    after.forEach(Runnable::run);
    return flight.result;
  }

  // ---------------------------------------------------------------- pilot events

  @Override
  public String register(PilotConnection connection, PilotMessage.Register register, String bearerToken)
      throws Refusal {
    String id = register.pilotId();
    synchronized (lock) {
      // before admission: an attempt on a live id is refused without checking (or binding) its credential
      heldElsewhere(id, connection);
    }
    try {
      admission.admit(register, bearerToken);
    } catch (Refusal refusal) {
      meters.refused(PilotMeters.REFUSED_ADMISSION);
      throw refusal;
    }
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        meters.refused(PilotMeters.REFUSED_STOPPING);
        throw new Refusal("the balancer is stopping");
      }
      PilotSlot old = heldElsewhere(id, connection);
      if (old == null && register.launchedAtMs() >= startedMs) {
        metrics.pilotStartup(clock.millis() - register.launchedAtMs());
      }
      if (old != null) { // its connection closed and has not said so yet: the pilot reconnected first
        redispatcher.lose(old, "was lost (its connection closed; it registered again)", after);
      }
      PilotSlot slot = new PilotSlot(id, connection, register, PilotHealthState.registered(clock.instant()));
      pilots.add(slot);
      connection.send(new BalancerMessage.Registered(id, settings.heartbeatMs(), clock.millis(), PilotProtocol.MINOR));
      for (String owed : redispatcher.owedCancels(id)) {
        connection.send(new BalancerMessage.Cancel(owed, "taken back while the pilot was away"));
      }
      LOG.info("pilot {} registered from {} (job {}, node {}, {} MB, {} CPUs, kinds {}, deadline {})", id,
          connection.remote(), register.jobId(), register.node(), register.memoryMb(), register.cpus(),
          register.kinds(), Instant.ofEpochMilli(register.deadlineMs()));
      pump.drain(after);
      pilots.updateGauges();
    }
    after.forEach(Runnable::run);
    return id;
  }

  /**
   * Refuses (retry later, counted) when {@code id} is registered over another connection that is open;
   * returns the registration whose connection has closed without reporting it yet, else null. A
   * half-open connection counts as open until the pilot is declared offline ({@code offlineAfterMs}
   * without a heartbeat; then {@link #tick} removes it and closes the connection), so the real pilot's
   * reconnect gets in within that time plus its backoff, and nobody can take a live pilot's id.
   */
  private PilotSlot heldElsewhere(String id, PilotConnection connection) throws Refusal {
    PilotSlot old = pilots.get(id);
    if (old == null || old.connection == connection) {
      return null;
    }
    if (old.connection.isOpen()) {
      meters.refused(PilotMeters.REFUSED_ID_IN_USE);
      throw new Refusal("pilot id " + id + " is held by a live connection; try again once it has closed or"
          + " gone offline", true);
    }
    return old;
  }

  @Override
  public void message(String pilotId, PilotConnection connection, PilotMessage message) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      PilotSlot slot = closed ? null : pilots.current(pilotId, connection);
      if (slot == null) {
        if (message instanceof PilotMessage.Completed c) {
          // a result over a connection that no longer holds a registration still counts if it was sent there
          completed(pilotId, connection, null, c, after);
        } else if (!closed) {
          meters.dropped(PilotMeters.DROPPED_STALE);
          drops.warn(PilotMeters.DROPPED_STALE, "dropped a {} from pilot {} at {}: its connection no longer holds"
              + " the registration", message.getClass().getSimpleName(), pilotId, connection.remote());
        }
      } else if (message instanceof PilotMessage.Heartbeat h) {
        pilots.heartbeat(slot, clock.instant());
        meters.heartbeat();
        slot.ready = true;
        slot.warm(h.warm());
        slot.reported = h.metrics();
        if (h.draining() && !slot.draining) {
          slot.draining = true;
        }
        pump.drain(after);
      } else if (message instanceof PilotMessage.Accepted a) {
        if (!foreign(pilotId, connection, a.activationId(), "accepted")
            && ledger.acknowledge(connection, a.activationId(), clock.millis(), settings.leaseSlackMs())) {
          pilots.answered(slot, clock);
        }
      } else if (message instanceof PilotMessage.Started st) {
        if (!foreign(pilotId, connection, st.activationId(), "started")) {
          started(pilotId, connection, st);
        }
      } else if (message instanceof PilotMessage.Completed c) {
        completed(pilotId, connection, slot, c, after);
      } else if (message instanceof PilotMessage.HandBack h) {
        for (String id : h.reportsStarted()
            ? h.activations().stream().map(PilotMessage.HandBack.Item::activationId).toList() : h.activationIds()) {
          foreign(pilotId, connection, id, "hand-back");
        }
        redispatcher.handedBack(connection, h, after);
        pump.drain(after);
      } else if (message instanceof PilotMessage.Pong) {
        pilots.answered(slot, clock);
      } else if (message instanceof PilotMessage.Draining d) {
        slot.draining = true;
        LOG.info("pilot {} drains: {}", pilotId, d.reason());
      } else if (message instanceof PilotMessage.Leaving l) {
        slot.leaving = true;
        LOG.info("pilot {} leaves: {}", pilotId, l.reason());
      } else if (message instanceof PilotMessage.Register) {
        LOG.warn("pilot {} registered twice on one connection; ignored", pilotId);
      }
      pilots.updateGauges();
      meters.queueLength(pump.size());
    }
    after.forEach(Runnable::run);
  }

  /**
   * Whether a message about {@code activationId} comes from a connection it was never sent over: then
   * it is dropped, counted and logged (rate-limited), whatever pilot id the connection is registered
   * under. An unknown activation is not foreign (it is late: counted where it is handled).
   */
  private boolean foreign(String pilotId, PilotConnection connection, String activationId, String what) {
    Flight f = ledger.get(activationId);
    if (f == null || f.sentOn.contains(connection)) {
      return false;
    }
    String reason = f.triedOn.contains(pilotId) ? PilotMeters.DROPPED_EARLIER : PilotMeters.DROPPED_FOREIGN;
    meters.dropped(reason);
    drops.warn(reason, "dropped '{}' for activation {} from pilot {} at {}: not sent over that connection ({})", what,
        activationId, pilotId, connection.remote(), reason);
    return true;
  }

  private void started(String pilotId, PilotConnection connection, PilotMessage.Started st) {
    if (ledger.start(connection, pilotId, st.activationId(), clock.millis(), settings.leaseSlackMs())
        == FlightLedger.StartReport.ON_A_CANCELLED_PILOT) {
      meters.startAfterCancel();
      LOG.warn("pilot {} started activation {} after it was told to cancel it (it was re-dispatched: it runs twice;"
          + " this pilot's result will be dropped)", pilotId, st.activationId());
    }
  }

  private void completed(String pilotId, PilotConnection connection, PilotSlot slot, PilotMessage.Completed c,
      List<Runnable> after) {
    Flight f = ledger.get(c.outcome().activationId());
    if (f == null) {
      metrics.lateResult();
      return;
    }
    if (foreign(pilotId, connection, f.id(), "completed")) {
      return;
    }
    if (f.cancelledOn.contains(pilotId)) {
      meters.cancelledResult(); // it was re-dispatched after this pilot was told to cancel it
      return;
    }
    String fault = RuntimeStartFault.of(c);
    if (fault != null) {
      if (slot != null && f.via == connection) {
        redispatcher.runtimeStartFailed(f, slot, fault, after);
        pump.drain(after);
      } else {
        metrics.lateResult(); // an earlier attempt that never ran: the current one goes on
      }
      return;
    }
    if (f.via != null && f.via != connection) {
      PilotSlot holder = pilots.current(f.pilotId, f.via);
      if (holder != null) {
        holder.connection.send(new BalancerMessage.Cancel(f.id(), "an earlier attempt on " + pilotId + " ended it"));
      }
    }
    HealthSignal.Outcome o = c.outcome().status() == ActivationStatus.WHISK_ERROR
        ? HealthSignal.Outcome.SYSTEM_ERROR : HealthSignal.Outcome.OK;
    pilots.activationEnded(slot, o, clock.instant());
    ledger.finish(f, ActivationMessages.fromPilot(c.outcome()), label(c.outcome().status()), after);
    pump.drain(after);
  }

  private static String label(ActivationStatus status) {
    return status.text().replace(' ', '_');
  }

  @Override
  public void closed(String pilotId, PilotConnection connection, String reason) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      PilotSlot slot = closed ? null : pilots.current(pilotId, connection);
      if (slot == null) {
        return;
      }
      redispatcher.lose(slot, slot.leaving ? "left (" + reason + ")" : "was lost (" + reason + ")", after);
      pump.drain(after);
      pilots.updateGauges();
      meters.queueLength(pump.size());
    }
    after.forEach(Runnable::run);
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
      for (PilotSlot slot : pilots.tick(now)) {
        redispatcher.lose(slot, "is offline (" + slot.health.reason() + ")", after);
        slot.connection.close(1001, "offline: " + slot.health.reason());
      }
      redispatcher.expire(now, after);
      pump.expireWaiting(now.toEpochMilli(), after);
      pump.drain(after);
      pilots.updateGauges();
      meters.queueLength(pump.size());
    }
    after.forEach(Runnable::run);
  }

  // ---------------------------------------------------------------- views

  /** A consistent snapshot for tests and logs. */
  public record Snapshot(int pilots, int queued, int inFlight, Map<String, Integer> reservedMbByPilot) {}

  public Snapshot snapshot() {
    synchronized (lock) {
      Map<String, Integer> reserved = new LinkedHashMap<>();
      pilots.all().forEach(p -> reserved.put(p.id, p.reservedMb));
      return new Snapshot(pilots.size(), pump.size(), ledger.size(), reserved);
    }
  }

  /** The registered pilots: pilot id to Slurm job id (for the controller's reconciliation). */
  public Map<String, String> registeredJobs() {
    synchronized (lock) {
      Map<String, String> jobs = new LinkedHashMap<>();
      pilots.all().forEach(p -> jobs.put(p.id, p.register.jobId()));
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
      return "pilots (" + pilots.size() + " registered; connect to " + PilotProtocol.PATH + ")";
    }
  }

  /** Tells every registered pilot to remove its idle runtimes of {@code actionPath} (deleted or replaced). */
  @Override
  public void forget(String actionPath) {
    synchronized (lock) {
      for (PilotSlot slot : pilots.all()) {
        slot.connection.send(new BalancerMessage.Forget(actionPath, "the action was deleted or replaced"));
      }
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
      all = pilots.clear();
    }
    for (PilotSlot slot : all) {
      slot.connection.close(1001, "balancer stopping");
    }
  }
}
