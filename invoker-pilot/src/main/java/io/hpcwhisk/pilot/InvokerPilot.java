package io.hpcwhisk.pilot;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.BalancerMessage;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.runtime.ActionRuntimes;
import io.hpcwhisk.runtime.ActivationResult;
import io.hpcwhisk.runtime.RuntimeStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invoker pilot: registers with the balancer, heartbeats, runs the activations it is sent and
 * drains when told to leave, as docs/pilot.md describes (the steps, exit codes, draining and the
 * protocol table); the per-activation bookkeeping is {@link ActivationLedger}'s.
 */
public final class InvokerPilot {

  /** Exit code when the balancer stayed unreachable for {@code giveUpAfter}. */
  public static final int EXIT_UNREACHABLE = 3;

  /** Exit code when the balancer refused the registration. */
  public static final int EXIT_REFUSED = 4;

  /**
   * Exit code when the balancer's certificate did not pass verification against the configured CA.
   */
  public static final int EXIT_UNTRUSTED = 5;

  private static final Logger LOG = LoggerFactory.getLogger(InvokerPilot.class);

  private final PilotIdentity identity;
  private final PilotSettings settings;
  private final ActionRuntimes runtimes;
  private final String version;

  /**
   * The WebSocket's client. Its executor runs tasks where they are submitted: a received message is
   * handled on the client's selector thread, and a send's completion sends the next frame there,
   * with no hand-off to a worker thread per frame (~10 us of CPU per activation less). So nothing
   * may block in {@link #onMessage}: an activation goes to the worker pool, a drain to the timer
   * thread.
   */
  private final HttpClient http;

  private final ExecutorService workers = Executors.newCachedThreadPool(daemon("activation"));
  private final ScheduledExecutorService timers =
      Executors.newScheduledThreadPool(1, daemon("pilot-timer"));

  /**
   * Heartbeats on their own thread, behind nothing else the pilot does (acknowledgements, drains
   * and leaving run on {@link #timers}; a drain's leave waits for frames to be written).
   */
  private final ScheduledExecutorService heartbeatTimer =
      Executors.newSingleThreadScheduledExecutor(daemon("pilot-heartbeat"));

  /** Reads the runtimes' figures for the heartbeats (their lock can be held by runtime starts). */
  private final ExecutorService statsReader =
      Executors.newSingleThreadExecutor(daemon("pilot-stats"));

  private final Object statsLock = new Object();
  private CompletableFuture<RuntimeStats> statsRead = CompletableFuture.completedFuture(null);
  private RuntimeStats lastStats;
  private final PilotCounters counters = new PilotCounters();
  private final CompletableFuture<Integer> finished = new CompletableFuture<>();
  private final AtomicLong heartbeatSeq = new AtomicLong();
  private final AtomicBoolean leaving = new AtomicBoolean();
  private final AtomicBoolean warmedUp = new AtomicBoolean();

  /**
   * The activations held; guarded by this pilot's monitor (taken in each call). An owed
   * acknowledgement (and a retry-safe start not reported yet) goes out after {@link
   * PilotSettings#ackDelay()}, well within the balancer's ack timeout (2 s).
   */
  private final ActivationLedger ledger;

  /** Written holding this pilot's monitor. */
  private volatile BalancerLink link;

  private volatile CompletableFuture<BalancerMessage> registration;

  /**
   * Which of {@link PilotSettings#balancers()} the next connection goes to: the next one after a
   * lost connection or a failed attempt (with one URL, always that one).
   */
  private volatile int balancerIndex;

  private URI balancer() {
    List<URI> all = settings.balancers();
    return all.get(Math.floorMod(balancerIndex, all.size()));
  }

  /** Moves on to the next balancer URL (a no-op with one). */
  private void nextBalancer() {
    if (settings.balancers().size() > 1) {
      balancerIndex++;
      LOG.info("pilot {}: next balancer {}", identity.pilotId(), balancer());
    }
  }

  private ScheduledFuture<?> heartbeats;

  public InvokerPilot(
      PilotIdentity identity, PilotSettings settings, ActionRuntimes runtimes, String version) {
    this.identity = identity;
    this.settings = settings;
    this.runtimes = runtimes;
    this.version = version;
    this.ledger = new ActivationLedger(identity.memoryMb(), finished::isDone, this);
    HttpClient.Builder client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(Runnable::run);
    if ("wss".equals(settings.balancer().getScheme())) {
      client.sslContext(BalancerTrust.context(settings.caFile()));
    }
    this.http = client.build();
  }

  /**
   * Builds the JSON serializers of the messages a pilot sends before it registers: built on first
   * use, under a lock of Jackson's shared cache, they made the first heartbeats and results of a
   * burst wait up to 2 s on a loaded node (flight recording of the burst benchmark).
   */
  static void warmUpEncoding() {
    ActivationOutcome outcome =
        new ActivationOutcome(
            "0",
            ActivationStatus.SUCCESS,
            JsonNodeFactory.instance.objectNode(),
            List.of(),
            0,
            0,
            0,
            0,
            false);
    for (PilotMessage m :
        List.<PilotMessage>of(
            new PilotMessage.Heartbeat(0, 0, 0, 0, Map.of(), false, null),
            new PilotMessage.Accepted("0"),
            new PilotMessage.Started("0", 0),
            new PilotMessage.Completed(outcome, null),
            new PilotMessage.HandBack(List.of(new PilotMessage.HandBack.Item("0", false)), "-"),
            new PilotMessage.Pong("0"))) {
      PilotProtocol.encode(m);
    }
  }

  /** Runs until the pilot has left; returns the process exit code (0 after a drain). */
  public int run() {
    warmUpEncoding();
    Instant drainAt = identity.deadline().minus(settings.drainLead());
    long untilDrain = Math.max(0, Duration.between(Instant.now(), drainAt).toMillis());
    long ackDelayMs = settings.ackDelay().toMillis();
    timers.scheduleWithFixedDelay(
        this::sendOwedAcks, ackDelayMs, Math.max(1, ackDelayMs / 2), TimeUnit.MILLISECONDS);
    timers.schedule(
        () ->
            drain(
                "job deadline " + identity.deadline() + " is near",
                identity.deadline().minus(settings.exitMargin())),
        untilDrain,
        TimeUnit.MILLISECONDS);
    long backoff = settings.reconnectInitial().toMillis();
    Instant lastContact = Instant.now();
    try {
      while (!finished.isDone()) {
        try {
          if (connectAndServe()) {
            backoff = settings.reconnectInitial().toMillis();
          }
          lastContact = Instant.now();
          nextBalancer();
        } catch (RegistrationRefused e) {
          LOG.error("the balancer refused pilot {}: {}", identity.pilotId(), e.getMessage());
          return EXIT_REFUSED;
        } catch (RegistrationDeferred e) {
          LOG.warn(
              "the balancer asked pilot {} to register again later: {}",
              identity.pilotId(),
              e.getMessage());
          nextBalancer();
        } catch (Exception e) {
          Optional<String> untrusted = BalancerTrust.certificateProblem(e);
          if (untrusted.isPresent()) {
            LOG.error(
                "pilot {}: refusing to connect to {}: its certificate did not pass verification"
                    + " against {}: {}",
                identity.pilotId(),
                balancer(),
                settings.caFile(),
                untrusted.get());
            return EXIT_UNTRUSTED;
          }
          LOG.warn("balancer {} unreachable: {}", balancer(), e.toString());
          nextBalancer();
        }
        if (finished.isDone()) {
          break;
        }
        if (Duration.between(lastContact, Instant.now()).compareTo(settings.giveUpAfter()) > 0) {
          LOG.error(
              "balancer {} unreachable for {}: giving the node back",
              settings.balancers(),
              settings.giveUpAfter());
          return EXIT_UNREACHABLE;
        }
        try {
          finished.get(backoff, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          backoff = Math.min(backoff * 2, settings.reconnectMax().toMillis());
        }
      }
      return finished.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (ExecutionException e) {
      return 1;
    } finally {
      timers.shutdownNow();
      heartbeatTimer.shutdownNow();
      statsReader.shutdownNow();
      workers.shutdownNow();
      runtimes.close();
    }
  }

  /**
   * The cores it offers to actions that ask for cores: those its runtimes can be pinned to (the
   * job's allowed CPUs, at most {@code SLURM_CPUS_ON_NODE}), else Slurm's count.
   */
  private int advertisedCores() {
    int pinnable = runtimes.devices().cores().size();
    return pinnable > 0 ? pinnable : identity.cpus();
  }

  /** Connects, registers and serves until the connection ends; true when registration succeeded. */
  private boolean connectAndServe() throws Exception {
    registration = new CompletableFuture<>();
    BalancerLink connected =
        BalancerLink.connect(
            http, balancer(), settings.token(), this::onMessage, Duration.ofSeconds(5));
    RuntimeStats stats = runtimes.stats();
    connected.send(
        new PilotMessage.Register(
            identity.pilotId(),
            identity.jobId(),
            identity.node(),
            advertisedCores(),
            identity.memoryMb(),
            runtimes.kinds(),
            stats.warmByVersion(),
            identity.deadline().toEpochMilli(),
            identity.jobStart().toEpochMilli(),
            identity.launchedAt().toEpochMilli(),
            version,
            PilotProtocol.MINOR,
            runtimes.onlyNamespace().orElse(null),
            runtimes.devices().gpus()));
    BalancerMessage reply =
        CompletableFuture.anyOf(registration, connected.closed())
            .thenApply(o -> o instanceof BalancerMessage m ? m : null)
            .get(10, TimeUnit.SECONDS);
    if (reply instanceof BalancerMessage.Refused refused) {
      connected.close("refused");
      throw new RegistrationRefused(refused.reason());
    }
    if (!(reply instanceof BalancerMessage.Registered registered)) {
      connected.close("no registration");
      String closedBy = connected.closed().getNow("?");
      if (closedBy.startsWith(
          TRY_AGAIN_LATER)) { // our id is still held by a connection the balancer thinks live
        throw new RegistrationDeferred(
            closedBy.substring(TRY_AGAIN_LATER.length(), closedBy.length() - 1));
      }
      throw new IllegalStateException("connection ended before registration: " + closedBy);
    }
    Optional<String> oldMinor = PilotProtocol.minorRefusal(registered.minor());
    if (oldMinor.isPresent()) {
      connected.close("unsupported protocol minor");
      throw new RegistrationRefused(
          "the balancer speaks an unsupported protocol: " + oldMinor.get());
    }
    LOG.info(
        "pilot {} registered with {} ({} MB, {} CPUs, deadline {})",
        identity.pilotId(),
        balancer(),
        identity.memoryMb(),
        identity.cpus(),
        identity.deadline());
    if (warmedUp.compareAndSet(false, true)) {
      workers.execute(runtimes::warmUp);
    }
    Optional<Instant> drainingUntil;
    synchronized (this) {
      link = connected;
      drainingUntil = ledger.leaveBy();
      long interval = Math.min(registered.heartbeatIntervalMs(), settings.heartbeat().toMillis());
      heartbeats =
          heartbeatTimer.scheduleAtFixedRate(this::heartbeat, 0, interval, TimeUnit.MILLISECONDS);
    }
    drainingUntil.ifPresent(
        by -> connected.send(new PilotMessage.Draining("draining", by.toEpochMilli())));
    String why =
        CompletableFuture.anyOf(connected.closed(), finished).thenApply(String::valueOf).join();
    synchronized (this) {
      heartbeats.cancel(false);
      link = null;
    }
    if (!finished.isDone()) {
      LOG.warn("connection to the balancer ended: {}", why);
    }
    return true;
  }

  private void onMessage(BalancerMessage message) {
    if (message instanceof BalancerMessage.Activate a) {
      accept(a.request());
    } else if (message instanceof BalancerMessage.Registered
        || message instanceof BalancerMessage.Refused) {
      registration.complete(message);
    } else if (message instanceof BalancerMessage.Cancel c) {
      cancel(c.activationId());
    } else if (message instanceof BalancerMessage.Drain d) {
      // leaving waits for the last frames to be written, which needs this (the selector) thread
      timers.execute(() -> drain("asked by the balancer: " + d.reason(), graceEnd()));
    } else if (message instanceof BalancerMessage.Ping p) {
      send(new PilotMessage.Pong(p.nonce()));
    } else if (message instanceof BalancerMessage.Forget f) {
      workers.execute(
          () -> { // closing runtimes removes their files: not on the selector thread
            runtimes.evictAction(f.action());
            LOG.info("forgot the idle runtimes of {}: {}", f.action(), f.reason());
          });
    }
  }

  private void accept(ActivationRequest request) {
    ActivationLedger.Arrival arrival = ledger.arrive(request, System.nanoTime());
    switch (arrival) {
      case DUPLICATE ->
          send(new PilotMessage.Accepted(request.activationId())); // never run it twice
      case CANCELLED ->
          LOG.info("activation {} arrived after its cancel: dropped", request.activationId());
      case REFUSED ->
          handBack(
              List.of(request.activationId()),
              false,
              "pilot " + identity.pilotId() + " is draining");
      case QUEUED -> startWhatFits();
      default -> throw new IllegalStateException("unknown arrival " + arrival);
    }
  }

  /**
   * Sends the acknowledgements owed for longer than {@link PilotSettings#ackDelay()} for what the
   * pilot still holds.
   */
  private void sendOwedAcks() {
    ActivationLedger.OwedAcks due =
        ledger.takeOwedAcks(System.nanoTime(), settings.ackDelay().toNanos());
    due.accepted().forEach(id -> send(new PilotMessage.Accepted(id)));
    due.started().forEach(this::send);
  }

  private void startWhatFits() {
    List<ActivationRequest> tooLarge =
        ledger.startWhatFits(next -> workers.execute(() -> execute(next)));
    for (ActivationRequest request : tooLarge) {
      Instant now = Instant.now();
      complete(
          request,
          ActivationResult.whiskError(
              "The action needs "
                  + request.limits().memoryMb()
                  + " MB but pilot "
                  + identity.pilotId()
                  + " has "
                  + identity.memoryMb()
                  + " MB.",
              now),
          now,
          null);
    }
  }

  /**
   * Just before the runtime runs it: false (not run) if it was cancelled meanwhile, else {@code
   * started}.
   */
  private boolean beginRun(ActivationRequest request) {
    ActivationLedger.Begin begin = ledger.begin(request, System.currentTimeMillis());
    if (begin == ActivationLedger.Begin.RUN) {
      // written before the runtime runs it: a pilot killed right after still delivers it
      sendAndWait(new PilotMessage.Started(request.activationId(), System.currentTimeMillis()));
    }
    return begin != ActivationLedger.Begin.SKIP;
  }

  private void execute(ActivationRequest request) {
    Instant started = Instant.now();
    Optional<String> refusal = runtimes.refusal(request.namespace());
    if (refusal
        .isPresent()) { // the balancer routes only the single tenant's work here: defense in depth
      LOG.warn(
          "activation {} of namespace {} refused: {}",
          request.activationId(),
          request.namespace(),
          refusal.get());
      if (ledger.finish(request).mine()) {
        complete(request, ActivationResult.whiskError(refusal.get(), Instant.now()), started, null);
        startWhatFits();
        leaveIfDrained();
      }
      return;
    }
    ActivationResult result;
    try {
      result =
          runtimes.invoke(
              RuntimeMapping.spec(request), RuntimeMapping.input(request), () -> beginRun(request));
      if (result == null) { // cancelled before its runtime began running it
        if (ledger.finish(request).mine()) { // the balancer took it back when it sent the cancel
          startWhatFits();
          leaveIfDrained();
        }
        return;
      }
    } catch (IllegalArgumentException e) {
      result =
          ActivationResult.error(
              ActivationStatus.DEVELOPER_ERROR, e.getMessage(), List.of(), started, Instant.now());
    } catch (RuntimeException e) {
      LOG.error("activation {} failed inside the pilot", request.activationId(), e);
      result =
          ActivationResult.whiskError("The pilot failed to run the action: " + e, Instant.now());
    }
    ActivationLedger.Finished end = ledger.finish(request);
    // Slurm signals every process of the job; a runtime that was still starting dies with it.
    boolean killedByDrain =
        end.draining()
            && result.status() == ActivationStatus.DEVELOPER_ERROR
            && result.errorMessage().map(m -> m.endsWith("exited unexpectedly.")).orElse(false);
    if (end.mine() && killedByDrain) {
      handBack(
          List.of(request.activationId()),
          end.hadStarted(),
          "its runtime was killed while the pilot drained");
      leaveIfDrained();
    } else if (end.mine()) {
      // a whisk error before the runtime began running it: the runtime could not start (the pilot's
      // fault)
      String fault =
          !end.hadStarted() && result.status() == ActivationStatus.WHISK_ERROR
              ? PilotMessage.Completed.FAULT_RUNTIME_START
              : null;
      complete(request, result, started, fault);
      startWhatFits();
      leaveIfDrained();
    }
  }

  private void complete(
      ActivationRequest request, ActivationResult result, Instant started, String fault) {
    counters.ended(result);
    ledger.completed(request.activationId());
    send(new PilotMessage.Completed(RuntimeMapping.outcome(request, result, started), fault));
  }

  /**
   * The balancer withdraws an activation: dropped (and handed back, not started) if queued; if its
   * runtime is still starting, it is not run once that is done; if it has not arrived yet, it is
   * dropped when it does. One already started runs on (the balancer drops its result).
   */
  private void cancel(String activationId) {
    // the balancer took it back when it sent the cancel: no answer
    if (ledger.cancel(activationId)) {
      startWhatFits();
    }
  }

  /** Hands activations back, all started or all not, saying so per activation. */
  private void handBack(List<String> ids, boolean wereStarted, String reason) {
    send(
        new PilotMessage.HandBack(
            ids.stream().map(id -> new PilotMessage.HandBack.Item(id, wereStarted)).toList(),
            reason));
    counters.handedBack(ids.size());
  }

  private Instant graceEnd() {
    Instant byGrace = Instant.now().plus(settings.grace()).minus(settings.exitMargin());
    Instant byDeadline = identity.deadline().minus(settings.exitMargin());
    return byGrace.isBefore(byDeadline) ? byGrace : byDeadline;
  }

  /** Called on SIGTERM: drain within Slurm's grace time. */
  public void terminate() {
    drain("SIGTERM (preempted or at the time limit)", graceEnd());
  }

  /**
   * Starts draining: nothing new, queue handed back, running work until {@code until}, then leave.
   */
  public void drain(String reason, Instant until) {
    List<String> handBack = ledger.drain(until).orElse(null);
    if (handBack == null) { // draining already, or left
      return;
    }
    LOG.info("pilot {} drains: {}; leaving by {}", identity.pilotId(), reason, until);
    counters.drained();
    send(new PilotMessage.Draining(reason, until.toEpochMilli()));
    if (!handBack.isEmpty()) {
      handBack(handBack, false, "pilot draining before they started: " + reason);
    }
    long delay = Math.max(0, Duration.between(Instant.now(), until).toMillis());
    timers.schedule(this::leave, delay, TimeUnit.MILLISECONDS);
    leaveIfDrained();
  }

  private void leaveIfDrained() {
    if (ledger.drained()) {
      leave();
    }
  }

  /** Hands back what still runs, says goodbye and ends {@link #run}. */
  private void leave() {
    if (!leaving.compareAndSet(false, true)) {
      return;
    }
    List<PilotMessage.HandBack.Item> unfinished = ledger.takeRunning();
    if (!unfinished.isEmpty()) {
      send(
          new PilotMessage.HandBack(
              unfinished, "pilot left before they finished (grace time over)"));
      counters.handedBack(unfinished.size());
    }
    heartbeat();
    send(new PilotMessage.Leaving("drained"));
    LOG.info("pilot {} leaves ({} handed back unfinished)", identity.pilotId(), unfinished.size());
    BalancerLink current = link;
    if (current != null) {
      try {
        current.flush(2000); // sends are queued: the goodbye leaves before the process may exit
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    finished.complete(0);
    if (current != null) {
      current.close("pilot leaving");
    }
  }

  private void heartbeat() {
    RuntimeStats stats = stats();
    ActivationLedger.Load load = ledger.load();
    send(
        new PilotMessage.Heartbeat(
            heartbeatSeq.incrementAndGet(),
            System.currentTimeMillis(),
            load.freeMemoryMb(),
            load.busy(),
            stats.warmByVersion(),
            load.draining(),
            counters.snapshot(stats)));
  }

  /**
   * The runtimes' figures for a heartbeat: waits at most {@link #STATS_WAIT_MS} for them (their
   * lock can be held for a while by runtime starts under a burst), else the last ones read (a late
   * read is still under way and is used by a later heartbeat). The first read is waited for.
   */
  private RuntimeStats stats() {
    synchronized (statsLock) {
      if (statsRead.isDone()) {
        statsRead = CompletableFuture.supplyAsync(runtimes::stats, statsReader);
      }
      try {
        lastStats =
            statsRead.get(lastStats == null ? 10_000 : STATS_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // the heartbeat goes out now, with the last figures
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | RejectedExecutionException e) {
        LOG.debug("could not read the runtimes' figures: {}", e.toString());
      }
      return lastStats != null ? lastStats : new RuntimeStats(0, 0, 0, 0, 0, 0, Map.of());
    }
  }

  /** How long a heartbeat waits for the runtimes' figures. */
  static final long STATS_WAIT_MS = 100;

  /**
   * Sends and waits until the message is written (at most 10 s); sends nothing without a
   * connection.
   */
  private void sendAndWait(PilotMessage message) {
    BalancerLink current = link;
    if (current != null) {
      try {
        current.sendAndWait(message, 10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void send(PilotMessage message) {
    BalancerLink current = link;
    if (current != null) {
      current.send(message);
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread thread = new Thread(r, name + "-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The balancer said no. */
  static final class RegistrationRefused extends Exception {
    RegistrationRefused(String reason) {
      super(reason);
    }
  }

  /** How {@link BalancerLink} reports the balancer's close code 1013 ("try again later"). */
  private static final String TRY_AGAIN_LATER = "closed by the balancer (1013 ";

  /**
   * The balancer closed with 1013: the pilot id is held by a connection it still thinks live;
   * retry.
   */
  static final class RegistrationDeferred extends Exception {
    RegistrationDeferred(String reason) {
      super(reason);
    }
  }
}
