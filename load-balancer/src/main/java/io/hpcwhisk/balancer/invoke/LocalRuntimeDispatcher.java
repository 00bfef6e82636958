package io.hpcwhisk.balancer.invoke;

import io.hpcwhisk.balancer.entity.ActivationResponse;
import io.hpcwhisk.balancer.entity.Exec;
import io.hpcwhisk.runtime.ActionLimits;
import io.hpcwhisk.runtime.ActionRuntimes;
import io.hpcwhisk.runtime.ActionSpec;
import io.hpcwhisk.runtime.ActivationInput;
import io.hpcwhisk.runtime.ActivationResult;
import io.hpcwhisk.runtime.RuntimeConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs activations in action runtimes on the server's own machine with the pilots' runtime library
 * ({@link ActionRuntimes}), in the same sandbox (docs/pilot.md, "Action isolation", {@code
 * api.local-unsandboxed-namespace}): the executor of a server without pilots (a single machine, the
 * local mode, tests); how activations queue is stated on {@link #dispatch}.
 */
public final class LocalRuntimeDispatcher implements ActivationDispatcher {

  private final ActionRuntimes runtimes;
  private final Supplier<String> apiHost;
  private final InstantSource clock;
  private final ExecutorService threads;
  private final int memoryMb;
  private final Semaphore memory;
  private final AtomicLong refused = new AtomicLong();
  private static final Logger LOG = LoggerFactory.getLogger(LocalRuntimeDispatcher.class);

  @Override
  public void forget(String actionPath) {
    runtimes.evictAction(actionPath);
  }

  /** This executor's runtimes (tests). */
  public ActionRuntimes runtimes() {
    return runtimes;
  }

  public LocalRuntimeDispatcher(
      RuntimeConfig config, Supplier<String> apiHost, InstantSource clock) {
    this.runtimes = new ActionRuntimes(config).warmUp();
    runtimes
        .startProblem()
        .ifPresent(
            problem ->
                LOG.warn(
                    "the local executor runs no action: {}"
                        + " (for the local executor: api.local-unsandboxed-namespace)",
                    problem));
    runtimes
        .onlyNamespace()
        .ifPresent(
            ns ->
                LOG.warn(
                    "the local executor runs actions WITHOUT a sandbox ({});"
                        + " serving only namespace {} (api.local-unsandboxed-namespace)",
                    runtimes.sandboxProblem().orElse("?"),
                    ns));
    this.apiHost = apiHost;
    this.clock = clock;
    this.memoryMb = config.memoryMb();
    this.memory = new Semaphore(memoryMb, true);
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            Math.max(1, memoryMb / 128),
            r -> {
              Thread t = new Thread(r, "local-runtime-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Queues the activation (first come, first served) for a fixed set of threads, one per 128 MB of
   * {@code memoryMb}; a thread takes the action's memory from a budget of {@code memoryMb} (waiting
   * while busy runtimes hold it), runs the activation and gives the memory back, so busy runtimes
   * never exceed the budget and the runtime library only evicts idle ones. Time spent queued counts
   * as the activation's wait time, not against its timeout; an action whose memory limit exceeds
   * the whole budget, or (without a working sandbox) of a namespace other than the opt-out's, ends
   * at once in a whisk error that says why (logged, counted by {@link #refused()}).
   */
  @Override
  public CompletableFuture<RunOutcome> dispatch(RunRequest request) {
    Optional<String> refusal = runtimes.refusal(request.namespace());
    if (refusal.isPresent()) {
      refused.incrementAndGet();
      LOG.warn(
          "activation {} of namespace {} refused: {}",
          request.activationId(),
          request.namespace(),
          refusal.get());
      return CompletableFuture.completedFuture(
          RunOutcome.whiskError(refusal.get(), clock.millis()));
    }
    ActionSpec spec;
    try {
      spec = spec(request);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(
          RunOutcome.whiskError(
              "The local executor cannot run this action: " + e.getMessage(), clock.millis()));
    }
    ActivationInput input =
        new ActivationInput(
            request.activationId(),
            request.action().toString(),
            request.namespace(),
            Instant.ofEpochMilli(request.deadlineMillis()),
            apiHost.get(),
            Optional.ofNullable(request.apiKey()),
            request.params());
    int needed = request.limits().memory();
    if (needed > memoryMb) {
      return CompletableFuture.completedFuture(
          RunOutcome.whiskError(
              "The action needs "
                  + needed
                  + " MB but the local executor has "
                  + memoryMb
                  + " MB (api.local-memory-mb).",
              clock.millis()));
    }
    try {
      return CompletableFuture.supplyAsync(() -> runWithin(needed, spec, input), threads);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(
          RunOutcome.whiskError("The local executor is shutting down.", clock.millis()));
    }
  }

  private RunOutcome runWithin(int memoryNeeded, ActionSpec spec, ActivationInput input) {
    try {
      memory.acquire(memoryNeeded);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return RunOutcome.whiskError("The local executor is shutting down.", clock.millis());
    }
    try {
      return outcome(runtimes.invoke(spec, input));
    } finally {
      memory.release(memoryNeeded);
    }
  }

  /** The runtime's view of the action: one warm pool entry per action path and version. */
  static ActionSpec spec(RunRequest r) {
    Exec exec = r.exec();
    ActionLimits limits =
        ActionLimits.defaults()
            .withTimeout(Duration.ofMillis(r.limits().timeout()))
            .withMemoryMb(r.limits().memory())
            .withLogBytes(r.limits().logs() * 1024L * 1024L);
    String code = exec.code() == null ? "" : exec.code();
    return new ActionSpec(
        r.action().path() + "@" + r.version(),
        exec.kind(),
        code,
        Boolean.TRUE.equals(exec.binary()),
        exec.main(),
        Map.of(),
        limits,
        "blackbox".equals(exec.kind()) ? exec.image() : null);
  }

  static RunOutcome outcome(ActivationResult r) {
    return new RunOutcome(
        ActivationResponse.of(r.status().code(), r.result()),
        r.logs(),
        r.start().toEpochMilli(),
        r.end().toEpochMilli(),
        r.initTime().map(Duration::toMillis).orElse(null));
  }

  /** Activations refused because no sandbox works here and their namespace is not the opt-out's. */
  public long refused() {
    return refused.get();
  }

  /** Whether actions run in bubblewrap. */
  public boolean sandboxed() {
    return runtimes.sandboxed();
  }

  @Override
  public String description() {
    return "local runtimes on this machine ("
        + String.join(", ", runtimes.kinds())
        + "; "
        + memoryMb
        + " MB"
        + (runtimes.sandboxed()
            ? ", sandboxed"
            : runtimes
                .onlyNamespace()
                .map(ns -> ", unsandboxed, only namespace " + ns)
                .orElse(", no sandbox: serves no namespace"))
        + ")";
  }

  @Override
  public void close() {
    threads.shutdownNow();
    runtimes.close();
  }
}
