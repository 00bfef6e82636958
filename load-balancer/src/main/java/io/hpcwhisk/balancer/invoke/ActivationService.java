package io.hpcwhisk.balancer.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcwhisk.balancer.auth.ActivationKeys;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.entity.Action;
import io.hpcwhisk.balancer.entity.ActivationRecord;
import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.DeviceRequest;
import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.entity.KeyValue;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.store.ActivationStore;
import io.hpcwhisk.balancer.store.PendingActivation;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts invocations and sees each one through to exactly one terminal record: {@link
 * #invoke(Identity, EntityPath, ObjectNode)} states the steps, {@link #maxChainDepth} the chain
 * limit and {@link #recover()} what a restart does with what was pending.
 */
public final class ActivationService {

  static final int MAX_ATTEMPTS = 3;
  private static final Logger LOG = LoggerFactory.getLogger(ActivationService.class);

  /** The developer error of an action without code, in OpenWhisk's runtimes' words. */
  public static final String NO_CODE = "Missing main/no code to execute.";

  private final ActionResolver resolver;
  private final ActivationStore activations;
  private final ActivationDispatcher dispatcher;
  private final NamespaceThrottle throttle;
  private final InstantSource clock;
  private final int maxSequenceLength;
  private final ActivationKeys keys;
  private final StorageQuota quota;
  private final int maxChainDepth;
  private final Conductors conductors;
  private final OtherServersRecord otherServers;
  private final ConcurrentHashMap<String, CompletableFuture<ActivationRecord>> inFlight =
      new ConcurrentHashMap<>();
  private volatile boolean abandoning;

  public ActivationService(
      ActionResolver resolver,
      ActivationStore activations,
      ActivationDispatcher dispatcher,
      NamespaceThrottle throttle,
      InstantSource clock,
      int maxSequenceLength) {
    this(
        resolver,
        activations,
        dispatcher,
        throttle,
        clock,
        maxSequenceLength,
        new ActivationKeys(),
        StorageQuota.NONE,
        10);
  }

  /**
   * With the keys handed to actions, the storage quota and the deepest chain of activations started
   * through activations' keys that is allowed.
   */
  public ActivationService(
      ActionResolver resolver,
      ActivationStore activations,
      ActivationDispatcher dispatcher,
      NamespaceThrottle throttle,
      InstantSource clock,
      int maxSequenceLength,
      ActivationKeys keys,
      StorageQuota quota,
      int maxChainDepth) {
    this.keys = keys;
    this.quota = quota;
    this.maxChainDepth = maxChainDepth;
    this.resolver = resolver;
    this.activations = activations;
    this.dispatcher = dispatcher;
    this.throttle = throttle;
    this.clock = clock;
    this.maxSequenceLength = maxSequenceLength;
    this.conductors = new Conductors(this, resolver, activations, clock, maxSequenceLength);
    this.otherServers = new OtherServersRecord(activations);
  }

  /**
   * An accepted activation: its id, the terminal record once it is written, and what makes the
   * acceptance durable before the id is told to anyone without the record (completes at once unless
   * the caller waits: see {@link #invoke(Identity, EntityPath, ObjectNode, boolean)}).
   */
  public record Accepted(
      String activationId,
      CompletableFuture<ActivationRecord> record,
      Supplier<CompletableFuture<Void>> durable) {

    public Accepted(String activationId, CompletableFuture<ActivationRecord> record) {
      this(activationId, record, () -> CompletableFuture.completedFuture(null));
    }
  }

  public ActivationDispatcher dispatcher() {
    return dispatcher;
  }

  /**
   * Accepts an invocation by {@code caller}; throws {@link Rejection} (403/404/409/429) before
   * anything is written.
   *
   * <p>It resolves the action and checks the caller's rights (404/403), the namespace's {@link
   * StorageQuota} and limits (429), writes the activation as pending (durable) and only then
   * answers the client, runs it through the {@link ActivationDispatcher} (a sequence component by
   * component, each with its own record and the sequence's id as {@code cause}), and writes the
   * terminal record and drops the pending entry in one commit.
   */
  public Accepted invoke(Identity caller, EntityPath invoked, ObjectNode payload) {
    return invoke(caller, invoked, payload, false);
  }

  /**
   * As {@link #invoke(Identity, EntityPath, ObjectNode)}; when {@code callerWaits} (a blocking
   * invocation), the pending entry is not committed on its own before the activation is dispatched:
   * the commit of its terminal record makes both durable before the caller gets the answer, which
   * saves one commit (and its wait) per blocking invocation. A caller that gives up waiting and
   * answers with the id must first wait for {@link Accepted#durable()}.
   */
  public Accepted invoke(
      Identity caller, EntityPath invoked, ObjectNode payload, boolean callerWaits) {
    ResolvedAction action = resolver.resolve(invoked, caller.namespace());
    payload = withoutCallersKey(action, payload);
    refuseDeepChain(caller, action);
    refuseOverQuota(caller.namespace(), payload);
    throttle
        .tryInvoke(caller.namespace())
        .ifPresent(
            message -> {
              throw new Rejection(429, message);
            });
    if (callerWaits && !action.action().exec().isSequence() && !Conductors.isConductor(action)) {
      PendingActivation pending =
          new PendingActivation(
              ActivationIds.next(),
              caller.namespace(),
              caller.subject(),
              invoked.toString(),
              payload,
              clock.millis(),
              caller.cause(),
              0);
      activations.acceptLazily(pending);
      return new Accepted(
          pending.activationId(), start(pending, action, caller), activations::sync);
    }
    return accept(caller, invoked, action, payload, caller.cause());
  }

  /**
   * The payload without {@code authKey} for the system's own actions ({@code /whisk.system}): feed
   * clients send the caller's key as {@code authKey} (the npm client's {@code feeds} API, {@code
   * wsk trigger create --feed}); the server's feeds know the caller without it, and the key must
   * not reach the store with the pending activation.
   */
  private static ObjectNode withoutCallersKey(ResolvedAction action, ObjectNode payload) {
    if (!"whisk.system".equals(action.path().namespace()) || !payload.has("authKey")) {
      return payload;
    }
    ObjectNode copy = payload.deepCopy();
    copy.remove("authKey");
    return copy;
  }

  /** Accepts an activation caused by a trigger, without the per-minute invocation count. */
  Accepted invokeForRule(Identity caller, EntityPath invoked, ObjectNode payload, String cause) {
    ResolvedAction action = resolver.resolve(invoked, caller.namespace());
    refuseOverQuota(caller.namespace(), payload);
    return accept(caller, invoked, action, payload, cause);
  }

  /**
   * The deepest chain allowed: an action annotated {@code provide-api-key} gets a key of its own
   * activation ({@link ActivationKeys}); what it invokes or fires with that key has the activation
   * as {@code cause} and is one step deeper in its chain. A call deeper than this is refused (429)
   * and recorded as an activation record of the refused action with the reason (a trigger loop
   * stops there).
   */
  int maxChainDepth() {
    return maxChainDepth;
  }

  /** The reason a call by {@code caller} is one step too deep in its chain, or null. */
  String chainTooDeep(Identity caller) {
    if (caller.chainDepth() <= maxChainDepth) {
      return null;
    }
    return "Refused: this call comes from activation "
        + caller.cause()
        + ", "
        + caller.chainDepth()
        + " calls deep in a chain of activations started through actions' own keys (a trigger or"
        + " invoke loop?); at most "
        + maxChainDepth
        + " are allowed (api.max-chain-depth).";
  }

  private void refuseDeepChain(Identity caller, ResolvedAction action) {
    String reason = chainTooDeep(caller);
    if (reason == null) {
      return;
    }
    String id = ActivationIds.next();
    long now = clock.millis();
    activations.complete(
        new ActivationRecord(
            id,
            caller.namespace(),
            action.path().name(),
            action.action().version(),
            caller.subject(),
            now,
            now,
            0,
            ActivationResponse.error(ActivationResponse.APPLICATION_ERROR, reason),
            List.of(),
            List.of(new KeyValue("path", Json.tree(action.path().path()))),
            false,
            caller.cause()));
    LOG.warn(
        "namespace {}: invocation of {} refused, chain depth {} > {} (cause {}, record {})",
        caller.namespace(),
        action.path().path(),
        caller.chainDepth(),
        maxChainDepth,
        caller.cause(),
        id);
    throw new Rejection(429, reason + " Recorded as activation " + id + ".");
  }

  /** Throws 429 when storing {@code payload} would take the namespace over its storage quota. */
  void refuseOverQuota(String namespace, ObjectNode payload) {
    quota
        .refusal(namespace, JsonSize.of(payload))
        .ifPresent(
            message -> {
              throw new Rejection(429, message);
            });
  }

  private Accepted accept(
      Identity caller,
      EntityPath invoked,
      ResolvedAction action,
      ObjectNode payload,
      String cause) {
    PendingActivation pending =
        new PendingActivation(
            ActivationIds.next(),
            caller.namespace(),
            caller.subject(),
            invoked.toString(),
            payload,
            clock.millis(),
            cause,
            0);
    activations.accept(pending);
    return new Accepted(pending.activationId(), start(pending, action, caller));
  }

  private CompletableFuture<ActivationRecord> start(
      PendingActivation p, ResolvedAction action, Identity caller) {
    throttle.started(p.namespace());
    CompletableFuture<ActivationRecord> done =
        execute(
                p.activationId(),
                p.namespace(),
                p.subject(),
                caller,
                action,
                p.payload(),
                p.cause(),
                p.acceptedAt(),
                new int[2])
            .handle(
                (record, t) -> {
                  OwnershipLost lost = OwnershipLost.in(t);
                  if (lost != null) {
                    // another server owns it now and writes its one record: no record here
                    return otherServers.of(p.namespace(), p.activationId(), lost);
                  }
                  if (t != null) {
                    LOG.error("activation {} failed inside the server", p.activationId(), t);
                  }
                  ActivationRecord stored =
                      t == null
                          ? record
                          : errorRecord(
                              p, action.action(), "The activation failed inside the server: " + t);
                  return abandoning
                      // the record is not stored (the activation stays pending for the next
                      // start), so nobody may see it
                      ? CompletableFuture.<ActivationRecord>failedFuture(
                          new ShuttingDown(p.activationId()))
                      : activations.completeAsync(stored).thenApply(v -> stored);
                })
            .thenCompose(f -> f);
    inFlight.put(p.activationId(), done);
    done.whenComplete(
        (r, t) -> {
          inFlight.remove(p.activationId());
          throttle.ended(p.namespace());
        });
    return done;
  }

  /** How long a caller here waits for another server's record ({@link OtherServersRecord}). */
  public void awaitOtherServersRecord(Duration d) {
    otherServers.limit(d);
  }

  /**
   * Stops recording for a shutdown: waits up to {@code grace} for the activations in flight to end,
   * then stops writing terminal records, so that whatever the executor reports while it is being
   * shut down (cancelled, killed runtimes) leaves those activations pending for {@link #recover()}
   * at the next start instead of ending them with a shutdown error. The pending entries of blocking
   * invocations, held in memory while their callers wait, are written down now; then every
   * activation still in flight gets {@link ShuttingDown} instead of a record, at once, so that the
   * API answers its waiting caller 202 with the id before the API stops. Returns how many were left
   * pending.
   */
  public int drain(Duration grace) {
    CompletableFuture<?>[] running = inFlight.values().toArray(new CompletableFuture<?>[0]);
    try {
      CompletableFuture.allOf(running).get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // some are still running (or one failed): they stay pending
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    abandoning = true;
    int left = inFlight.size(); // from here on none of them gets its record written
    try {
      // not interruptible: an interrupted drain must still write them down before the store closes
      activations.sync().orTimeout(10, TimeUnit.SECONDS).join();
    } catch (CompletionException e) {
      LOG.error(
          "could not write down the blocking invocations still in flight at shutdown",
          e.getCause());
    }
    // answer the waiting callers now, while the API still runs (202 with the id), not when the
    // executor's shutdown
    // ends their runs: by then the API may have closed their connections, and a caller that saw no
    // id invokes again
    inFlight.forEach((id, record) -> record.completeExceptionally(new ShuttingDown(id)));
    if (left > 0) {
      LOG.info(
          "{} activations still in flight at shutdown stay pending; they are re-dispatched at the"
              + " next start",
          left);
    }
    return left;
  }

  /**
   * Runs an action (or a sequence) and builds its record; stores nothing itself except sequence
   * components.
   */
  CompletableFuture<ActivationRecord> execute(
      String id,
      String namespace,
      String subject,
      Identity caller,
      ResolvedAction action,
      ObjectNode payload,
      String cause,
      long acceptedAt,
      int[] componentsSoFar) {
    Action a = action.action();
    if (a.exec().isSequence()) {
      ObjectNode params = KeyValue.toObject(action.parameters());
      params.setAll(payload);
      return runSequence(
          id, namespace, subject, caller, action, params, cause, acceptedAt, componentsSoFar);
    }
    if (Conductors.isConductor(action)) {
      return conductors.run(
          id, namespace, subject, caller, action, payload, cause, acceptedAt, componentsSoFar);
    }
    return runAction(id, namespace, subject, caller, action, payload, cause, acceptedAt);
  }

  /**
   * Runs one plain action (not a sequence; a conductor action as one of its own secondary
   * activations) and builds its record.
   */
  CompletableFuture<ActivationRecord> runAction(
      String id,
      String namespace,
      String subject,
      Identity caller,
      ResolvedAction action,
      ObjectNode payload,
      String cause,
      long acceptedAt) {
    Action a = action.action();
    ObjectNode params = KeyValue.toObject(action.parameters());
    params.setAll(payload);
    if (a.exec().code() != null && a.exec().code().isEmpty()) {
      // an action created without code (a placeholder): every OpenWhisk runtime refuses its init
      // with this developer error; no runtime is started for it
      long at = clock.millis();
      return CompletableFuture.completedFuture(
          ActivationRecords.of(
              id,
              namespace,
              subject,
              action,
              new RunOutcome(
                  ActivationResponse.error(ActivationResponse.DEVELOPER_ERROR, NO_CODE),
                  List.of(),
                  at,
                  at,
                  null),
              cause,
              acceptedAt,
              a.exec().kind()));
    }
    // a key of this activation, not the caller's (the server keeps no user's key): calls made with
    // it carry
    // this activation as their cause and one more step of chain depth; it ends with the activation
    Identity issued =
        caller != null && action.annotationIsTrue("provide-api-key", false)
            ? keys.issue(caller, id, caller.chainDepth())
            : null;
    String apiKey = issued == null ? null : issued.authKey();
    long now = clock.millis();
    RunRequest request =
        new RunRequest(
            id,
            namespace,
            action.path(),
            a.version(),
            a.exec(),
            a.limits(),
            params,
            apiKey,
            now + a.limits().timeout(),
            action.annotationIsTrue("retry-safe", true),
            DeviceRequest.gpus(a.annotations()));
    CompletableFuture<RunOutcome> outcome;
    try {
      outcome = dispatcher.dispatch(request);
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    if (issued != null) {
      outcome.whenComplete((o, t) -> keys.revoke(issued));
    }
    return outcome
        .exceptionally(
            t -> {
              OwnershipLost lost = OwnershipLost.in(t);
              if (lost != null) {
                throw lost; // no record here: the server that took it over writes it
              }
              return RunOutcome.whiskError(
                  "The executor failed to run the activation: " + t, clock.millis());
            })
        .thenApply(ActivationRecords::withinJsonLimits)
        .thenApply(
            o ->
                ActivationRecords.of(
                    id, namespace, subject, action, o, cause, acceptedAt, a.exec().kind()));
  }

  private record SequenceState(
      ObjectNode result,
      List<String> ids,
      ActivationResponse last,
      long duration,
      boolean failed) {}

  private CompletableFuture<ActivationRecord> runSequence(
      String id,
      String namespace,
      String subject,
      Identity caller,
      ResolvedAction sequence,
      ObjectNode params,
      String cause,
      long acceptedAt,
      int[] componentsSoFar) {
    long start = clock.millis();
    CompletableFuture<SequenceState> chain =
        CompletableFuture.completedFuture(new SequenceState(params, List.of(), null, 0, false));
    for (String component : sequence.action().exec().components()) {
      chain =
          chain.thenCompose(
              state ->
                  state.failed()
                      ? CompletableFuture.completedFuture(state)
                      : runComponent(
                          id, namespace, subject, caller, component, state, componentsSoFar));
    }
    return chain.thenApply(
        state -> {
          long end = clock.millis();
          ActivationResponse response =
              state.last() == null ? ActivationResponse.success(state.result()) : state.last();
          List<KeyValue> annotations = new ArrayList<>();
          annotations.add(new KeyValue("topmost", Json.tree(cause == null)));
          annotations.add(new KeyValue("path", Json.tree(sequence.path().path())));
          annotations.add(new KeyValue("waitTime", Json.tree(Math.max(0, start - acceptedAt))));
          annotations.add(new KeyValue("kind", Json.tree("sequence")));
          annotations.add(new KeyValue("limits", Json.tree(sequence.action().limits())));
          return new ActivationRecord(
              id,
              namespace,
              sequence.path().name(),
              sequence.action().version(),
              subject,
              start,
              end,
              state.duration(),
              response,
              state.ids(),
              annotations,
              false,
              cause);
        });
  }

  private CompletableFuture<SequenceState> runComponent(
      String sequenceId,
      String namespace,
      String subject,
      Identity caller,
      String component,
      SequenceState state,
      int[] componentsSoFar) {
    if (++componentsSoFar[0] > maxSequenceLength) {
      return CompletableFuture.completedFuture(
          new SequenceState(
              state.result(),
              state.ids(),
              ActivationResponse.error(
                  ActivationResponse.APPLICATION_ERROR, "Too many actions in the sequence."),
              state.duration(),
              true));
    }
    ResolvedAction action;
    try {
      action = resolver.resolve(EntityPath.parse(component, namespace), namespace);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          new SequenceState(
              state.result(),
              state.ids(),
              ActivationResponse.error(
                  ActivationResponse.APPLICATION_ERROR,
                  "Sequence component does not exist: " + component + "."),
              state.duration(),
              true));
    }
    String componentId = ActivationIds.next();
    return execute(
            componentId,
            namespace,
            subject,
            caller,
            action,
            state.result(),
            sequenceId,
            clock.millis(),
            componentsSoFar)
        .thenCompose(record -> activations.completeAsync(record).thenApply(v -> record))
        .thenApply(
            record -> {
              List<String> ids = new ArrayList<>(state.ids());
              ids.add(componentId);
              JsonNode result = record.response().result();
              ObjectNode next = result instanceof ObjectNode o ? o : Json.MAPPER.createObjectNode();
              return new SequenceState(
                  next,
                  ids,
                  record.response(),
                  state.duration() + record.duration(),
                  !record.response().success());
            });
  }

  private ActivationRecord errorRecord(PendingActivation p, Action action, String reason) {
    return ActivationRecords.ended(p, action, reason, clock.millis());
  }

  /**
   * Ends or re-dispatches every activation left pending by an earlier run of the server; returns
   * how many were re-dispatched. Runs before the API opens.
   *
   * <p>A pending activation is re-dispatched when the action is retry-safe (annotation {@code
   * retry-safe} absent or true) and has had fewer than {@value #MAX_ATTEMPTS} attempts, else ended
   * with a whisk internal error naming the reason. So a retry-safe activation that was running when
   * the server died runs again and its side effects may happen twice; throttling counters start at
   * zero after a restart.
   */
  public Recovery recover() {
    int redispatched = 0;
    int ended = 0;
    int failed = 0;
    ActivationStore.PendingScan scan = activations.scanPending();
    for (ActivationStore.UnreadablePending u : scan.unreadable()) {
      try {
        PendingActivation p =
            new PendingActivation(
                u.activationId(),
                u.namespace(),
                u.subject(),
                u.action(),
                JsonNodeFactory.instance.objectNode(),
                u.acceptedAt(),
                u.cause(),
                0);
        activations.complete(
            errorRecord(
                p,
                null,
                "The server restarted while this activation was pending and its "
                    + "stored entry does not read back ("
                    + u.reason()
                    + "); it was not run. The entry is kept in the "
                    + "server's quarantine ("
                    + u.quarantineKey()
                    + ")."));
        ended++;
      } catch (RuntimeException e) {
        failed++;
        LOG.error(
            "could not end the unreadable pending activation {} (kept in quarantine as {})",
            u.activationId(),
            u.quarantineKey(),
            e);
      }
    }
    for (PendingActivation p : scan.readable()) {
      try {
        Recovered recovered = recoverOne(p, false);
        switch (recovered) {
          case REDISPATCHED -> redispatched++;
          case ENDED -> ended++;
          case ALREADY_ENDED -> {}
          default -> throw new IllegalStateException("unknown recovery outcome " + recovered);
        }
      } catch (RuntimeException e) {
        // one entry that cannot be recovered must not keep the server from starting: it stays
        // pending
        failed++;
        LOG.error(
            "could not recover pending activation {} of {}; it stays pending",
            p.activationId(),
            p.namespace(),
            e);
      }
    }
    if (redispatched + ended + failed > 0) {
      LOG.info(
          "recovered {} pending activations: {} re-dispatched, {} ended with a whisk error, {}"
              + " failed",
          redispatched + ended + failed,
          redispatched,
          ended,
          failed);
    }
    return new Recovery(redispatched, ended);
  }

  /**
   * Several servers on one database: takes over the activations left pending by servers that are
   * gone and ends or re-dispatches each as {@link #recover()} does at a start; returns how many.
   * Called periodically while the server runs.
   */
  public int recoverOrphans() {
    int recovered = 0;
    for (PendingActivation p : activations.adoptOrphans()) {
      try {
        recoverOne(p, true);
        recovered++;
      } catch (RuntimeException e) {
        LOG.error(
            "could not recover activation {} of {} left pending by a server that is gone; it stays"
                + " pending for this server's next start",
            p.activationId(),
            p.namespace(),
            e);
      }
    }
    if (recovered > 0) {
      LOG.info("took over {} pending activations of servers that are gone", recovered);
    }
    return recovered;
  }

  private enum Recovered {
    REDISPATCHED,
    ENDED,
    ALREADY_ENDED
  }

  /** Ends or re-dispatches one; {@code adopted}: from a server whose heartbeat went stale. */
  private Recovered recoverOne(PendingActivation p, boolean adopted) {
    Optional<ActivationRecord> existing = activations.get(p.namespace(), p.activationId());
    if (existing.isPresent()) {
      activations.complete(existing.get());
      return Recovered.ALREADY_ENDED;
    }
    ResolvedAction action;
    try {
      action = resolver.resolve(EntityPath.parse(p.action(), p.namespace()), p.namespace());
    } catch (RuntimeException e) {
      activations.complete(
          errorRecord(
              p,
              null,
              "The server restarted while this activation was pending and its action could not be"
                  + " found: "
                  + e.getMessage()));
      return Recovered.ENDED;
    }
    if (!action.annotationIsTrue("retry-safe", true)) {
      activations.complete(
          errorRecord(
              p,
              action.action(),
              adopted
                  ? "The server that accepted this activation went silent (no heartbeat for"
                      + " store.postgres.server-stale-ms: it died, or was paused or cut off) while"
                      + " the activation was in flight, so its pilot may have run it; the action is"
                      + " not retry-safe (annotation retry-safe=false), so it was not run again."
                  : "The server stopped while this activation was in flight and the action is not"
                      + " retry-safe (annotation retry-safe=false), so it was not run again."));
      return Recovered.ENDED;
    }
    if (p.attempts() + 1 >= MAX_ATTEMPTS) {
      activations.complete(
          errorRecord(
              p,
              action.action(),
              "The server stopped "
                  + (p.attempts() + 1)
                  + " times while this activation was in flight;"
                  + " it was not run again."));
      return Recovered.ENDED;
    }
    PendingActivation again = p.nextAttempt();
    activations.updatePending(again);
    start(again, action, null);
    return Recovered.REDISPATCHED;
  }

  /** What {@link #recover()} did. */
  public record Recovery(int redispatched, int ended) {}

  /**
   * What an activation's record future fails with when the server stopped before the activation
   * ended: its record was not written and it stays pending, to be run again at the next start.
   */
  public static final class ShuttingDown extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ShuttingDown(String activationId) {
      super(
          "the server is stopping; activation "
              + activationId
              + " stays pending for the next start",
          null,
          false,
          false);
    }
  }
}
