package io.hpcwhisk.balancer.dispatch;

import io.hpcwhisk.balancer.entity.DeviceRequest;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.ActivationDispatcher;
import io.hpcwhisk.balancer.invoke.OwnershipLost;
import io.hpcwhisk.balancer.invoke.RunOutcome;
import io.hpcwhisk.balancer.invoke.RunRequest;
import io.hpcwhisk.balancer.store.postgres.PostgresDispatchQueue;
import io.hpcwhisk.core.dispatch.OwnerLease;
import io.hpcwhisk.protocol.PilotMessage;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatch across several servers over one PostgreSQL database ({@code store.kind: postgres} with
 * {@code api.executor: pilots}): an activation accepted here runs on a pilot of any server.
 *
 * <p><b>Algorithm.</b> An activation goes to this server's own {@link PilotDispatcher} when that
 * has a registered pilot and nothing waiting in its queue, when it has a registered pilot and no
 * other server is alive (nobody else could claim it: the database round trip would only add
 * transactions and the wait for a notification), or when it carries a per-activation API key (never
 * written to the database). Otherwise it is written to {@code dispatch_queue} (with a {@code NOTIFY
 * hpcw_work}, empty payload) and this server waits for its outcome. Every server {@code LISTEN}s;
 * one with a pilot and an empty local queue claims the oldest unclaimed row whose origin is alive
 * ({@code FOR UPDATE SKIP LOCKED}), runs it on its own pilots and stores the outcome only while the
 * claim is still its own ({@code NOTIFY hpcw_done} with the activation id). The origin takes the
 * outcome (deleting the row) on that notification or its one-second poll and completes the caller's
 * future, so the API writes the one terminal record as for a local run. Every server writes its
 * heartbeat to {@code servers} each second; the origin takes back what a server without a fresh
 * heartbeat (or that left) had claimed, by {@link ServerLoss} — the pilot-loss retry rule with each
 * claim counted as a start: queued again, or ended with the reason. A row nobody claims within
 * {@code balancer.queue-wait-seconds} is withdrawn and ends in a whisk error. The claiming server
 * records which pilot it sent the activation to; when that pilot moves to another server (its own
 * was lost) and reports the result there, that server stores it in the row if the row has no
 * outcome yet — only for exactly that pilot (its id is bound to its Slurm job's credential), so no
 * other pilot can end the activation.
 *
 * <p><b>Example.</b> Server A has no pilot, server B has one. A accepts a1 (blocking), queues it
 * and notifies; B claims it, its pilot runs it, B stores the outcome and notifies; A takes it and
 * answers the caller. Had B been SIGKILLed after claiming, A would see B's heartbeat go stale after
 * {@code server-stale-ms} and queue a1 again (retry-safe, claimed fewer than {@code max-attempts}
 * times) or end it "pilot preempted: pilot of server B was lost ...".
 *
 * <p><b>Guarantees.</b> The future this returns completes once; a late outcome from a server whose
 * claim was taken back is not stored ({@code finish} matches the claim) and is counted as dropped.
 * The queue is only touched through the database account: pilots never see it.
 *
 * <p><b>Fencing.</b> Every heartbeat extends this server's {@link OwnerLease}; while it does not
 * hold, the local dispatcher places nothing and parks results, and nothing is claimed or queued
 * here; the next heartbeat then re-reads what this server still owns and drops what another server
 * took over before dispatch resumes (docs/architecture.md, "Fencing a silent server").
 *
 * <p><b>Known caveats.</b> A row whose origin died is not run (its caller is gone): the server that
 * takes over the origin's pending activation deletes the row in the same transaction and dispatches
 * it afresh (a late outcome of the old claim is dropped) — unless it runs the activation already
 * for that origin, whose run then answers (one run). Actions deleted or replaced are forgotten only
 * by this server's pilots (other servers' pilots keep the old version's idle runtime until their
 * idle timeout; a new version never reuses it).
 */
public final class ClusterDispatcher implements ActivationDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterDispatcher.class);

  private final PilotDispatcher local;
  private final PostgresDispatchQueue queue;
  private final String serverId;
  private final long staleMs;
  private final int maxAttempts;
  private final long queueWaitMs;
  private final InstantSource clock;
  private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timers;
  private final Thread listener;
  private volatile boolean running = true;

  private final AtomicLong queued = new AtomicLong();

  /** Other servers with a fresh heartbeat, refreshed with this server's own heartbeat. */
  private volatile int othersAlive;

  /**
   * This server's ownership lease ({@link OwnerLease}): written only by the heartbeat task (never
   * two at once), read by every dispatch and pilot event.
   */
  private volatile OwnerLease lease;

  private final AtomicLong lapses = new AtomicLong();

  /** Heartbeat task only: a lapse is being reconciled. */
  private boolean reconciling;

  private final AtomicLong disowned = new AtomicLong();

  private final AtomicLong claimed = new AtomicLong();
  private final AtomicLong takenBack = new AtomicLong();
  private final AtomicLong endedByLoss = new AtomicLong();
  private final AtomicLong droppedOutcomes = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();

  /** The activations this server claimed and runs on its pilots, with their runs' outcomes. */
  private final Map<String, CompletableFuture<RunOutcome>> claimedHere = new ConcurrentHashMap<>();

  private record Waiting(CompletableFuture<RunOutcome> result, long queuedMs) {}

  /** What this server did through the database so far (tests, metrics). */
  public record Counts(
      long queued,
      long claimed,
      long takenBack,
      long endedByLoss,
      long droppedOutcomes,
      long delivered,
      long lapses,
      long disowned) {}

  public ClusterDispatcher(
      PilotDispatcher local,
      PostgresDispatchQueue queue,
      long staleMs,
      int maxAttempts,
      long queueWaitMs,
      InstantSource clock) {
    this.local = local;
    this.queue = queue;
    this.serverId = queue.serverId();
    this.staleMs = staleMs;
    this.maxAttempts = maxAttempts;
    this.queueWaitMs = queueWaitMs;
    this.clock = clock;
    long sent = System.nanoTime();
    othersAlive = queue.heartbeatAndCountOthers(serverId, staleMs);
    lease = OwnerLease.first(sent, staleMs);
    local.fence(this::mayAct);
    long beat = Math.max(200, Math.min(1000, staleMs / 5));
    timers =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "cluster-" + serverId);
              t.setDaemon(true);
              return t;
            });
    timers.scheduleWithFixedDelay(
        () -> quietly("heartbeat", this::heartbeat), beat, beat, TimeUnit.MILLISECONDS);
    timers.scheduleWithFixedDelay(
        () -> quietly("take back", this::reap), 1000, 1000, TimeUnit.MILLISECONDS);
    timers.scheduleWithFixedDelay(
        () -> quietly("poll", this::poll), 1000, 1000, TimeUnit.MILLISECONDS);
    timers.scheduleWithFixedDelay(
        () -> quietly("sweep", () -> queue.sweepOrphanedOrigins(Math.max(60_000, 10 * staleMs))),
        60,
        60,
        TimeUnit.SECONDS);
    local.crossServer(
        new PilotDispatcher.CrossServer() {
          @Override
          public void sent(String activationId, String pilotId) {
            if (claimedHere.containsKey(activationId)) {
              background("record the pilot", () -> queue.sentTo(activationId, serverId, pilotId));
            }
          }

          @Override
          public void unheld(String pilotId, PilotMessage.Completed result) {
            if (result.fault() == null) {
              background("deliver a moved pilot's result", () -> deliver(pilotId, result));
            }
          }
        });
    listener = new Thread(this::listen, "cluster-listen-" + serverId);
    listener.setDaemon(true);
    listener.start();
    LOG.info(
        "server {}: dispatch across servers through the database (stale after {} ms)",
        serverId,
        staleMs);
  }

  /** This server's row in {@code servers}. */
  public String serverId() {
    return serverId;
  }

  public Counts counts() {
    return new Counts(
        queued.get(),
        claimed.get(),
        takenBack.get(),
        endedByLoss.get(),
        droppedOutcomes.get(),
        delivered.get(),
        lapses.get(),
        disowned.get());
  }

  /** This server's own pilot dispatcher. */
  public PilotDispatcher local() {
    return local;
  }

  // ---------------------------------------------------------------- dispatch

  // ---------------------------------------------------------------- fencing

  /** Whether this server may hand its activations to pilots now: its lease holds. */
  private boolean mayAct() {
    return lease.holds(System.nanoTime());
  }

  /**
   * The heartbeat: extends the lease from the moment it was sent; once the lease has lapsed, the
   * heartbeat goes with a re-read of what this server still owns ({@link #reconcile}).
   */
  private void heartbeat() {
    long sent = System.nanoTime();
    if (lease.at(sent).lapsed()) {
      reconcile();
      return;
    }
    othersAlive = queue.heartbeatAndCountOthers(serverId, staleMs);
    lease = lease.beat(sent);
    if (lease.lapsed()) {
      reconcile();
    }
  }

  /**
   * After a lapse (see docs/architecture.md, "Fencing a silent server"): holds dispatch, then, with
   * a heartbeat in the same transaction, re-reads which of the activations this server holds were
   * taken over by another server meanwhile; those end here without a record of this server's
   * ({@link OwnershipLost}: the API answers their callers with the other server's record), the rest
   * go on. Repeats while activations arrive that were not checked yet; the lease holds again only
   * after the last round.
   */
  private void reconcile() {
    lease = new OwnerLease(lease.validUntilNanos(), true, lease.leaseNanos());
    if (!reconciling) {
      reconciling = true;
      lapses.incrementAndGet();
      LOG.warn(
          "server {}: ownership lease lapsed (no heartbeat committed for {} ms); re-reading what"
              + " this server still owns before it dispatches again",
          serverId,
          OwnerLease.leaseMs(staleMs));
    }
    local.hold();
    String reason =
        "was taken over by another server while this server "
            + serverId
            + " was silent (its heartbeat was older than store.postgres.server-stale-ms)";
    int lost = 0;
    for (int round = 0; round < 100; round++) {
      long sent = System.nanoTime();
      Set<String> held = local.unchecked();
      Set<String> claims = Set.copyOf(claimedHere.keySet());
      Set<String> accepted = new HashSet<>(held);
      accepted.addAll(waiting.keySet());
      accepted.removeAll(claims);
      PostgresDispatchQueue.Ownership o =
          queue.heartbeatAndReadOwnership(serverId, staleMs, accepted, claims);
      othersAlive = o.othersAlive();
      OwnerLease next = lease.reconciled(sent);
      if (!next.holds(System.nanoTime())) {
        continue; // the round itself took longer than the lease: again
      }
      for (String id : o.lost()) {
        Waiting w = waiting.remove(id);
        if (w != null) {
          w.result().completeExceptionally(new OwnershipLost(id, reason));
        }
      }
      Set<String> checked = new HashSet<>(held);
      checked.removeAll(o.lost());
      disowned.addAndGet(o.lost().size());
      lost += o.lost().size();
      lease = next;
      if (local.resume(checked, o.lost(), reason)) {
        reconciling = false;
        LOG.warn(
            "server {}: re-read what it owns after the lapse: {} activations were taken over by"
                + " another server and dropped here; dispatching again",
            serverId,
            lost);
        return;
      }
    }
    // not settled (work kept arriving unchecked): lapsed again, the next heartbeat goes on
    lease = new OwnerLease(lease.validUntilNanos(), true, lease.leaseNanos());
  }

  // ---------------------------------------------------------------- dispatch

  /** Whether the local pilots can take work now: a pilot is registered and none waits. */
  private boolean localCanTake() {
    PilotDispatcher.Snapshot s = local.snapshot();
    return s.pilots() > 0 && s.queued() == 0;
  }

  /** Whether an activation stays here: see the class comment's algorithm. */
  private boolean staysLocal() {
    PilotDispatcher.Snapshot s = local.snapshot();
    return s.pilots() > 0 && (s.queued() == 0 || othersAlive == 0);
  }

  @Override
  public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
    CompletableFuture<RunOutcome> runningHere = claimedHere.get(request.activationId());
    if (runningHere != null) {
      // taken over from a server that is gone while this server ran it for that server: that run
      // is the new owner's (one run; the old claim's outcome finds no row and is dropped)
      LOG.info(
          "server {}: activation {} taken over while it runs here for its gone origin; its run"
              + " answers",
          serverId,
          request.activationId());
      return runningHere.copy();
    }
    // while the lease does not hold, new work waits in the (held) local queue, where the
    // re-read of what this server owns sees it
    if (request.apiKey() != null || !running || staysLocal() || !mayAct()) {
      return local.dispatch(request);
    }
    CompletableFuture<RunOutcome> result = new CompletableFuture<>();
    waiting.put(request.activationId(), new Waiting(result, clock.millis()));
    try {
      queue.enqueue(request.activationId(), serverId, request.retrySafe(), Json.write(request));
    } catch (RuntimeException e) {
      // the database cannot take it now: this server's own queue waits for a pilot as before
      waiting.remove(request.activationId());
      LOG.warn(
          "activation {}: cannot queue it for other servers ({}); it waits for a pilot here",
          request.activationId(),
          e.getMessage());
      return local.dispatch(request);
    }
    queued.incrementAndGet();
    return result;
  }

  // ---------------------------------------------------------------- the listener

  private void listen() {
    while (running) {
      try (PostgresDispatchQueue.Listener l = queue.listen()) {
        claimWhatFits();
        while (running) {
          List<PostgresDispatchQueue.Note> notes = l.await(500);
          for (PostgresDispatchQueue.Note n : notes) {
            if (n.channel().equals(PostgresDispatchQueue.DONE)
                && waiting.containsKey(n.payload())) {
              take(n.payload());
            }
          }
          claimWhatFits();
        }
      } catch (Exception e) {
        if (running) {
          LOG.warn(
              "server {}: listening on the database failed ({}); again in 1 s",
              serverId,
              e.getMessage());
          try {
            Thread.sleep(1000);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  /** Claims and runs queued activations while the local pilots can take work. */
  private void claimWhatFits() {
    while (running && mayAct() && localCanTake()) {
      Optional<PostgresDispatchQueue.Claim> c = queue.claim(serverId, staleMs);
      if (c.isEmpty()) {
        return;
      }
      run(c.get());
    }
  }

  private void run(PostgresDispatchQueue.Claim c) {
    RunRequest request;
    try {
      request = Json.read(c.request(), RunRequest.class);
    } catch (RuntimeException e) {
      LOG.error("queued activation {} does not read back; ended", c.activationId(), e);
      finish(
          c.activationId(),
          RunOutcome.whiskError(
              "The queued activation did not read back on server " + serverId + ".",
              clock.millis()));
      return;
    }
    claimed.incrementAndGet();
    LOG.info("server {}: claimed queued activation {}", serverId, c.activationId());
    runHere(request)
        .whenComplete(
            (outcome, failure) -> {
              if (OwnershipLost.in(failure) != null) {
                // the origin took the claim back while this server was silent
                claimedHere.remove(c.activationId());
                droppedOutcomes.incrementAndGet();
                return;
              }
              finish(
                  c.activationId(),
                  failure == null
                      ? outcome
                      : RunOutcome.whiskError(
                          "The activation failed inside server " + serverId + ": " + failure,
                          clock.millis()));
            });
  }

  /**
   * Runs a claimed activation on this server's pilots, or, when this server runs it already (its
   * origin died, and it was queued again before the first run ended), stands for that run: the
   * activation runs once and that run answers both claims.
   */
  private CompletableFuture<RunOutcome> runHere(RunRequest request) {
    CompletableFuture<RunOutcome> fresh = new CompletableFuture<>();
    CompletableFuture<RunOutcome> running = claimedHere.putIfAbsent(request.activationId(), fresh);
    if (running != null) {
      LOG.info(
          "server {}: activation {} claimed again while it runs here; that run answers",
          serverId,
          request.activationId());
      return running.copy();
    }
    local
        .dispatch(request)
        .whenComplete(
            (outcome, failure) -> {
              if (failure == null) {
                fresh.complete(outcome);
              } else {
                fresh.completeExceptionally(failure);
              }
            });
    return fresh;
  }

  /** Stores a claimed activation's outcome; retried while the database is away. */
  private void finish(String activationId, RunOutcome outcome) {
    claimedHere.remove(activationId);
    if (!running) {
      // stopped (or halted as if killed): the origin takes the activation back
      droppedOutcomes.incrementAndGet();
      return;
    }
    String json = Json.write(outcome);
    Runnable attempt =
        new Runnable() {
          int tries;

          @Override
          public void run() {
            try {
              if (!queue.finish(activationId, serverId, json)) {
                droppedOutcomes.incrementAndGet();
                LOG.warn(
                    "server {}: outcome of activation {} dropped: its claim was taken back",
                    serverId,
                    activationId);
              }
            } catch (RuntimeException e) {
              if (++tries < 60 && !timers.isShutdown()) {
                timers.schedule(this, 1, TimeUnit.SECONDS);
              } else {
                LOG.error(
                    "server {}: could not store the outcome of {}", serverId, activationId, e);
              }
            }
          }
        };
    attempt.run();
  }

  // ---------------------------------------------------------------- the origin's side

  private void take(String activationId) {
    Waiting w = waiting.get(activationId);
    if (w == null) {
      return;
    }
    Optional<String> outcome = queue.take(activationId, serverId);
    if (outcome.isPresent()) {
      waiting.remove(activationId);
      RunOutcome o;
      try {
        o = Json.read(outcome.get(), RunOutcome.class);
      } catch (RuntimeException e) {
        o = RunOutcome.whiskError("The activation's outcome did not read back.", clock.millis());
      }
      w.result().complete(o);
    }
  }

  /** The fallback to notifications, and the queue wait limit. */
  private void poll() {
    long now = clock.millis();
    for (Map.Entry<String, Waiting> e : waiting.entrySet()) {
      take(e.getKey());
      if (waiting.containsKey(e.getKey())
          && now - e.getValue().queuedMs() > queueWaitMs
          && queue.withdraw(e.getKey(), serverId)) {
        waiting.remove(e.getKey());
        e.getValue()
            .result()
            .complete(
                RunOutcome.whiskError(
                    "No pilot of any server took this activation within "
                        + queueWaitMs / 1000
                        + " s (balancer.queue-wait-seconds).",
                    now));
      }
    }
  }

  private void reap() {
    long now = clock.millis();
    List<PostgresDispatchQueue.Verdict> verdicts =
        queue.reap(
            serverId,
            staleMs,
            o ->
                new PostgresDispatchQueue.Verdict(
                    o.activationId(),
                    o.claimedBy(),
                    ServerLoss.decide(
                            o.retrySafe(), o.claims(), maxAttempts, o.claimedBy(), o.silentMs())
                        .map(reason -> Json.write(RunOutcome.whiskError(reason, now)))
                        .orElse(null)));
    for (PostgresDispatchQueue.Verdict v : verdicts) {
      if (v.outcomeOrNull() == null) {
        takenBack.incrementAndGet();
        LOG.warn(
            "server {}: activation {} was held by server {}, which is gone; queued again",
            serverId,
            v.activationId(),
            v.claimedBy());
      } else {
        endedByLoss.incrementAndGet();
        LOG.warn(
            "server {}: activation {} was held by server {}, which is gone; ended (retry rules)",
            serverId,
            v.activationId(),
            v.claimedBy());
        take(v.activationId());
      }
    }
  }

  /**
   * A result from a pilot for an activation this server does not hold: stored when a lost server
   * had claimed it and sent it to exactly this pilot (the pilot moved here with it running).
   */
  private void deliver(String pilotId, PilotMessage.Completed result) {
    String id = result.outcome().activationId();
    if (queue.deliver(id, pilotId, Json.write(ActivationMessages.fromPilot(result.outcome())))) {
      delivered.incrementAndGet();
      LOG.info(
          "server {}: stored the result of activation {} that pilot {} delivered after moving here",
          serverId,
          id,
          pilotId);
    }
  }

  private void background(String what, Runnable r) {
    try {
      timers.execute(() -> quietly(what, r));
    } catch (RejectedExecutionException e) {
      // stopped
    }
  }

  private void quietly(String what, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("server {}: {} failed ({}); will try again", serverId, what, e.getMessage());
    }
  }

  // ---------------------------------------------------------------- the rest

  @Override
  public String description() {
    return local.description() + "; other servers' pilots through the database";
  }

  @Override
  public void forget(String actionPath) {
    local.forget(actionPath);
  }

  @Override
  public DeviceRequest.Largest largestPilot() {
    return local.largestPilot();
  }

  /**
   * Stops claiming and leaves the database ({@code servers} row deleted): the origins take back
   * what this server held at once. Activations this server queued stay pending for the next start.
   */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    stopListening();
    timers.shutdownNow();
    try {
      queue.leave(serverId);
    } catch (RuntimeException e) {
      LOG.warn("server {}: could not leave the database ({})", serverId, e.getMessage());
    }
  }

  /**
   * Stops as if the process had been killed (tests): no more heartbeats, claims or outcomes, the
   * {@code servers} row stays until it is stale.
   */
  public void halt() {
    running = false;
    stopListening();
    timers.shutdownNow();
  }

  /**
   * Stops the listener thread and waits (at most 5 s) until it has given its connection back: the
   * server closes the connection pool after this, and a listener still holding a connection then
   * would use a closed pool.
   */
  private void stopListening() {
    listener.interrupt();
    if (Thread.currentThread() == listener) {
      return;
    }
    try {
      listener.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (listener.isAlive()) {
      LOG.warn("server {}: the database listener did not stop within 5 s", serverId);
    }
  }
}
