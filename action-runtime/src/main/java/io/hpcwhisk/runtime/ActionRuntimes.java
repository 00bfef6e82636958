package io.hpcwhisk.runtime;

import io.hpcwhisk.runtime.container.ContainerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * The warm pool: runs activations in runtimes kept per action version, starting one (cold) when no
 * idle runtime of the version exists and reusing it (warm) afterwards; the choice of runtime is
 * stated on {@link #invoke(ActionSpec, ActivationInput, BooleanSupplier)}.
 */
public final class ActionRuntimes implements AutoCloseable {

  private static final long WATCHDOG_MILLIS = 250;

  private final RuntimeConfig config;
  private final Launchers launchers;
  private final DevicePool devices;
  private final Map<PoolKey, Deque<Idle>> idle = new HashMap<>();
  private final Set<ActionContainer> busy = Collections.newSetFromMap(new IdentityHashMap<>());
  private final ScheduledExecutorService housekeeping;
  private final AtomicLong coldStarts = new AtomicLong();
  private final AtomicLong warmStarts = new AtomicLong();
  private final AtomicLong affinityEscapes = new AtomicLong();
  private final Object deviceLock = new Object();

  /** The cores and GPUs each pinned runtime holds (weakly: a closed runtime drops out). */
  private final Map<ActionContainer, DevicePool.Grant> pinned =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final ImageRuntimes images;

  /** Pre-started runtimes (guarded by this); their memory counts in memoryInUseMb. */
  private final PreStartedRuntimes prestarted;

  /**
   * Runtime process launches at once (cold starts and stem cells): twice the cores this process may
   * use, at least 2, so a burst of cold starts does not start dozens of interpreters at once and
   * starve the pilot's own threads (heartbeats) on a small node.
   */
  private final Semaphore launches =
      new Semaphore(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()), true);

  private int memoryInUseMb;
  private boolean closed;

  private record Idle(ActionContainer container, long sinceNanos) {}

  /**
   * The directory this pool's runtimes live in, one per start: {@code WORK_DIR/start-PID-NANOS}.
   */
  private final Path base;

  /**
   * A pool whose runtime files live in a directory of their own under {@code config.workDir()},
   * made for this start (so files a killed process left behind can never collide with new ones);
   * directories of earlier starts whose process is gone are removed first, and so are the {@code
   * actions} and {@code launchers} directories of older versions.
   */
  public ActionRuntimes(RuntimeConfig config) {
    this(config, DevicePool.ofThisProcess(), ContainerSettings.defaults());
  }

  /**
   * As {@link #ActionRuntimes(RuntimeConfig)}, with the cores and GPUs runtimes that ask for them
   * take (a pilot's: {@link DevicePool#ofJob}).
   */
  public ActionRuntimes(RuntimeConfig config, DevicePool devices) {
    this(config, devices, ContainerSettings.defaults());
  }

  /**
   * As {@link #ActionRuntimes(RuntimeConfig)}, running container actions ({@link
   * ActionSpec#image()}) as {@code containers} says.
   */
  public ActionRuntimes(RuntimeConfig config, ContainerSettings containers) {
    this(config, DevicePool.ofThisProcess(), containers);
  }

  /**
   * A pool with the cores and GPUs its pinned runtimes take ({@code devices}) that runs container
   * actions as {@code containers} says.
   */
  public ActionRuntimes(RuntimeConfig config, DevicePool devices, ContainerSettings containers) {
    this.devices = Objects.requireNonNull(devices, "devices");
    this.base = config.workDir();
    try {
      Files.createDirectories(base);
      removeLeftovers(base);
      Path own =
          Files.createDirectory(
              base.resolve("start-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
      this.config = config.withWorkDir(own);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the runtime work directory under " + base, e);
    }
    this.launchers = new Launchers(this.config, this.config.workDir().resolve("launchers"));
    this.prestarted =
        new PreStartedRuntimes(
            this,
            this.config,
            launchers,
            devices,
            launches,
            () -> this.config.memoryMb() - memoryInUseMb,
            mb -> memoryInUseMb += mb,
            () -> closed);
    this.housekeeping =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "runtime-housekeeping");
              thread.setDaemon(true);
              return thread;
            });
    housekeeping.scheduleWithFixedDelay(
        this::housekeep, WATCHDOG_MILLIS, WATCHDOG_MILLIS, TimeUnit.MILLISECONDS);
    this.images =
        new ImageRuntimes(
            this.config,
            containers,
            this::reserve,
            this::unreserve,
            coldStarts::incrementAndGet,
            warmStarts::incrementAndGet);
  }

  /**
   * Resolves interpreters and writes the launchers now, so the first cold start does not pay for
   * it.
   */
  public ActionRuntimes warmUp() {
    launchers.warmUp();
    prestarted.warmedUp();
    return this;
  }

  /**
   * Keeps {@code value}'s pre-started runtimes ({@link Prewarm}) from now on, starting them in the
   * background with memory no runtime holds, once {@link #warmUp} ran; returns this.
   */
  public ActionRuntimes prewarm(Prewarm value) {
    prestarted.prewarm(value);
    return this;
  }

  /** The pre-started runtimes kept. */
  public Prewarm prewarm() {
    return prestarted.prewarm();
  }

  /** Idle pre-started runtimes of {@code kind} now (tests, metrics). */
  public synchronized int stems(ActionKind kind) {
    return prestarted.idle(kind);
  }

  /** How many cold starts used a pre-started runtime. */
  public long prewarmedStarts() {
    return prestarted.prewarmedStarts();
  }

  /** How many pre-started runtimes could not be started. */
  public long stemFailures() {
    return prestarted.failures();
  }

  /** The cores and GPUs runtimes that ask for them take. */
  public DevicePool devices() {
    return devices;
  }

  /** Whether runtimes run inside bubblewrap. */
  public boolean sandboxed() {
    return launchers.sandboxed();
  }

  /**
   * The directories and files the sandbox hides from actions (besides {@code /tmp}); empty when not
   * sandboxed.
   */
  public List<Path> sandboxHides() {
    return launchers.sandboxHides();
  }

  /**
   * Why runtimes run without bubblewrap: off by configuration, or the self-check's failure (empty
   * when sandboxed).
   */
  public Optional<String> sandboxProblem() {
    return Optional.ofNullable(launchers.sandboxProblem());
  }

  /**
   * The one namespace these runtimes serve, when they run without a sandbox under the
   * administrator's single-tenant opt-out ({@link RuntimeConfig#unsandboxedNamespace()}); empty
   * when sandboxed (every namespace) or when they serve none.
   */
  public Optional<String> onlyNamespace() {
    return sandboxed() ? Optional.empty() : Optional.ofNullable(config.unsandboxedNamespace());
  }

  /**
   * Why these runtimes cannot serve anyone: no working sandbox and no single-tenant opt-out. A
   * pilot exits with this line; empty when it may serve.
   */
  public Optional<String> startProblem() {
    if (sandboxed() || config.unsandboxedNamespace() != null) {
      return Optional.empty();
    }
    return Optional.of(
        "actions would run without a sandbox ("
            + launchers.sandboxProblem()
            + ") and could read each other's code, parameters and keys; install bubblewrap (bwrap)"
            + " with user namespaces allowed, or set pilot.unsandboxed-namespace: NAME to run only"
            + " that namespace's actions, unsandboxed");
  }

  /**
   * The rule for namespaces: with a working sandbox every namespace is served; without one only the
   * opt-out's namespace. Empty when an activation of {@code namespace} may run here, else the
   * reason it may not (the caller ends it in a whisk error, logs and counts it).
   */
  public Optional<String> refusal(String namespace) {
    if (sandboxed()) {
      return Optional.empty();
    }
    String only = config.unsandboxedNamespace();
    if (only == null) {
      return Optional.of("This executor runs actions without a sandbox and serves no namespace.");
    }
    if (!only.equals(namespace)) {
      return Optional.of(
          "This executor runs actions without a sandbox and serves only namespace "
              + only
              + ", not "
              + namespace
              + ".");
    }
    return Optional.empty();
  }

  /** Why container actions cannot run here (engine missing or off), or empty when they can. */
  public Optional<String> containerProblem() {
    return images.engineProblem();
  }

  /** Container actions' containers, idle and busy (tests). */
  public int containers() {
    return images.size();
  }

  /** The kinds this pool can run (all of {@link ActionKind}). */
  public List<String> kinds() {
    return ActionKind.supportedNames();
  }

  /**
   * Runs one activation of {@code spec} and returns its result; blocks until it ends. Never throws
   * for a problem of the action or of the pilot: those are developer or whisk errors in the result.
   */
  public ActivationResult invoke(ActionSpec spec, ActivationInput input) {
    return invoke(spec, input, () -> true);
  }

  /**
   * As {@link #invoke(ActionSpec, ActivationInput)}, but asks {@code start} right before the
   * runtime begins running the activation (a warm runtime at once, a cold one once it started and
   * initialised). When {@code start} says false the activation is not run and null is returned (the
   * runtime stays for others). A failure before that point (the runtime could not start) is a whisk
   * error result and {@code start} was never asked.
   *
   * <p>It takes the most recently used idle runtime of the spec's version key (with the same limits
   * and env); if there is none, a spec that {@link Prewarm#fits} takes an idle pre-started runtime
   * of its kind (a replacement starts in the background), else it reserves the action's memory,
   * evicting idle pre-started runtimes first, then the least recently used idle runtimes of other
   * versions, and starts a runtime on the calling thread (so cold starts run in parallel; at most
   * {@code 2 × cores} runtime processes are launched at once). Afterwards a live runtime goes back
   * to the idle list and a dead one (timeout, crash) frees its memory; a background task removes
   * runtimes idle longer than the idle timeout and kills busy ones whose resident memory exceeds
   * their limit. When the memory is taken by busy runtimes it returns a whisk error at once rather
   * than queueing (the balancer does not send more than the pilot registered).
   */
  public ActivationResult invoke(ActionSpec spec, ActivationInput input, BooleanSupplier start) {
    if (spec.image() != null) {
      return images.invoke(spec, input, start);
    }
    ActionContainer warm = takeIdle(poolKey(spec));
    if (warm != null) {
      if (!start.getAsBoolean()) {
        release(warm);
        return null;
      }
      warmStarts.incrementAndGet();
      ActivationResult result = warm.run(input);
      release(warm);
      return result;
    }
    ActionContainer stem = prestarted.take(spec);
    if (stem != null) {
      return runOnStem(stem, spec, input, start);
    }
    String refusal = reserve(spec.limits().memoryMb());
    while (refusal != null && images.evictOldestIdle()) {
      refusal = reserve(spec.limits().memoryMb());
    }
    if (refusal != null) {
      return ActivationResult.whiskError(refusal, Instant.now());
    }
    DevicePool.Grant grant = null;
    int cores = spec.limits().cores();
    int gpus = spec.limits().gpus();
    if (cores > 0 || gpus > 0) {
      grant = takeDevices(cores, gpus);
      if (grant == null) {
        unreserve(spec.limits().memoryMb());
        return ActivationResult.whiskError(
            "This pilot cannot give the action "
                + cores
                + " core(s) and "
                + gpus
                + " GPU(s) now: "
                + devices.describeFree()
                + " (busy runtimes hold the rest).",
            Instant.now());
      }
    }
    coldStarts.incrementAndGet();
    InitOutcome outcome;
    try {
      launches.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      unreserve(spec.limits().memoryMb());
      if (grant != null) {
        devices.give(grant);
      }
      return ActivationResult.whiskError(
          "The pilot was interrupted before the runtime started.", Instant.now());
    }
    try {
      outcome = ActionContainer.start(spec, config, launchers, grant, !devices.gpus().isEmpty());
    } finally {
      launches.release();
    }
    if (outcome instanceof InitOutcome.Failed failed) {
      unreserve(spec.limits().memoryMb());
      if (grant != null) {
        devices.give(grant);
      }
      return failed.result();
    }
    InitOutcome.Ready ready = (InitOutcome.Ready) outcome;
    ActionContainer container = ready.container();
    if (grant != null) {
      DevicePool.Grant held = grant;
      container.onClose(() -> devices.give(held));
      pinned.put(container, grant);
    }
    synchronized (this) {
      if (closed) {
        container.close();
        unreserve(spec.limits().memoryMb());
        return ActivationResult.whiskError("The runtimes are shutting down.", Instant.now());
      }
      busy.add(container);
    }
    if (!start.getAsBoolean()) {
      release(container);
      return null;
    }
    ActivationResult result = container.run(input).asCold(ready.initStart(), ready.initTime());
    release(container);
    return result;
  }

  /** A cold start on a pre-started runtime: the action's code goes in, then {@code /init}. */
  private ActivationResult runOnStem(
      ActionContainer stem, ActionSpec spec, ActivationInput input, BooleanSupplier start) {
    coldStarts.incrementAndGet();
    prestarted.countPrewarmedStart();
    InitOutcome outcome;
    try {
      outcome = stem.adopt(spec);
    } catch (RuntimeException e) {
      unreserve(stem.spec().limits().memoryMb());
      stem.close();
      return ActivationResult.whiskError(
          "The pilot could not use a pre-started runtime: "
              + ActionContainer.withoutPaths(e.getMessage()),
          Instant.now());
    }
    if (outcome instanceof InitOutcome.Failed failed) {
      unreserve(spec.limits().memoryMb());
      stem.close();
      return failed.result();
    }
    InitOutcome.Ready ready = (InitOutcome.Ready) outcome;
    ActionContainer container = ready.container();
    synchronized (this) {
      if (closed) {
        container.close();
        unreserve(spec.limits().memoryMb());
        return ActivationResult.whiskError("The runtimes are shutting down.", Instant.now());
      }
      busy.add(container);
    }
    if (!start.getAsBoolean()) {
      release(container);
      return null;
    }
    ActivationResult result = container.run(input).asCold(ready.initStart(), ready.initTime());
    release(container);
    return result;
  }

  /** Runtimes are shared by activations of the same version with the same limits and env. */
  private record PoolKey(String versionKey, ActionLimits limits, Map<String, String> env) {}

  private static PoolKey poolKey(ActionSpec spec) {
    return new PoolKey(spec.versionKey(), spec.limits(), spec.env());
  }

  private synchronized ActionContainer takeIdle(PoolKey key) {
    Deque<Idle> list = idle.get(key);
    while (list != null && !list.isEmpty()) {
      ActionContainer container = list.pollLast().container();
      if (container.alive()) {
        busy.add(container);
        return container;
      }
      memoryInUseMb -= container.spec().limits().memoryMb();
      container.close();
    }
    return null;
  }

  /**
   * Reserves memory, taking it from pre-started runtimes first (waiting for those still starting),
   * then evicting idle runtimes least recently used first; returns a refusal or null.
   */
  private String reserve(int memoryMb) {
    List<ActionContainer> evicted = new ArrayList<>();
    String refusal = null;
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    synchronized (this) {
      if (closed) {
        refusal = "The runtimes are shutting down.";
      } else {
        while (memoryInUseMb + memoryMb > config.memoryMb()) {
          // pre-started runtimes give way first, then idle warm ones: a warm runtime saves its
          // version the whole cold start, a pre-started one only the process start
          ActionContainer stem = prestarted.takeAny();
          if (stem != null) {
            memoryInUseMb -= stem.spec().limits().memoryMb();
            evicted.add(stem);
            continue;
          }
          // a pre-start under way holds memory the activation needs: wait until it is ready,
          // then take it back (pre-started runtimes never stand in the way of an activation)
          if (prestarted.starting() > 0 && System.nanoTime() - waitUntil < 0) {
            try {
              wait(50);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              break;
            }
            continue;
          }
          Idle oldest = oldestIdle();
          if (oldest == null) {
            break;
          }
          idle.get(poolKey(oldest.container().spec())).remove(oldest);
          memoryInUseMb -= oldest.container().spec().limits().memoryMb();
          evicted.add(oldest.container());
        }
        if (memoryInUseMb + memoryMb > config.memoryMb()) {
          refusal =
              "No memory left for another runtime: "
                  + memoryInUseMb
                  + " MB of "
                  + config.memoryMb()
                  + " MB are in use and the action needs "
                  + memoryMb
                  + " MB.";
        } else {
          memoryInUseMb += memoryMb;
        }
      }
    }
    evicted.forEach(ActionContainer::close);
    return refusal;
  }

  /**
   * Takes cores and GPUs, closing idle runtimes that hold some (least recently used first) until
   * enough are free; null when busy runtimes hold too many. One start at a time takes devices
   * ({@code deviceLock}, never held by a warm run), so that a start does not give up while another
   * is still closing the idle runtime it evicted.
   */
  private DevicePool.Grant takeDevices(int cores, int gpus) {
    synchronized (deviceLock) {
      return takeDevicesLocked(cores, gpus);
    }
  }

  private DevicePool.Grant takeDevicesLocked(int cores, int gpus) {
    while (true) {
      DevicePool.Grant grant = devices.take(cores, gpus);
      if (grant != null) {
        return grant;
      }
      ActionContainer evicted = null;
      synchronized (this) {
        Idle oldest = null;
        for (Deque<Idle> list : idle.values()) {
          for (Idle entry : list) {
            if (entry.container().holdsDevices()
                && (oldest == null || entry.sinceNanos() < oldest.sinceNanos())) {
              oldest = entry;
            }
          }
        }
        if (oldest != null) {
          idle.get(poolKey(oldest.container().spec())).remove(oldest);
          memoryInUseMb -= oldest.container().spec().limits().memoryMb();
          evicted = oldest.container();
        }
      }
      if (evicted == null) {
        return null;
      }
      evicted.close();
    }
  }

  private synchronized void unreserve(int memoryMb) {
    memoryInUseMb -= memoryMb;
  }

  private Idle oldestIdle() {
    Idle oldest = null;
    for (Deque<Idle> list : idle.values()) {
      Idle first = list.peekFirst();
      if (first != null && (oldest == null || first.sinceNanos() < oldest.sinceNanos())) {
        oldest = first;
      }
    }
    return oldest;
  }

  private void release(ActionContainer container) {
    boolean close = false;
    boolean escaped = escapedItsCores(container);
    synchronized (this) {
      busy.remove(container);
      if (container.alive() && !closed && !escaped) {
        idle.computeIfAbsent(poolKey(container.spec()), k -> new ArrayDeque<>())
            .addLast(new Idle(container, System.nanoTime()));
      } else {
        memoryInUseMb -= container.spec().limits().memoryMb();
        close = true;
      }
    }
    if (close) {
      container.close();
    }
  }

  /**
   * Whether a pinned runtime let some process run beyond its cores (it called {@code
   * sched_setaffinity} itself); such a runtime is not used again, and the pilot logs it.
   */
  private boolean escapedItsCores(ActionContainer container) {
    DevicePool.Grant grant = pinned.get(container);
    if (grant == null || grant.cores().isEmpty() || !container.alive()) {
      return false;
    }
    List<Integer> beyond = container.cpusBeyond(grant.cores());
    if (beyond.isEmpty()) {
      return false;
    }
    affinityEscapes.incrementAndGet();
    LoggerFactory.getLogger(ActionRuntimes.class)
        .warn(
            "a runtime of {} widened its CPU affinity beyond its cores {} to {}; it is discarded",
            container.spec().versionKey(),
            grant.cores(),
            beyond);
    return true;
  }

  /** How many pinned runtimes were discarded because they widened their CPU affinity. */
  public long affinityEscapes() {
    return affinityEscapes.get();
  }

  private void housekeep() {
    List<ActionContainer> expired = new ArrayList<>();
    List<ActionContainer> running;
    long now = System.nanoTime();
    long idleNanos = config.idleTimeout().toNanos();
    synchronized (this) {
      for (Deque<Idle> list : idle.values()) {
        for (Iterator<Idle> it = list.iterator(); it.hasNext(); ) {
          Idle entry = it.next();
          if (now - entry.sinceNanos() > idleNanos || !entry.container().alive()) {
            it.remove();
            memoryInUseMb -= entry.container().spec().limits().memoryMb();
            expired.add(entry.container());
          }
        }
      }
      idle.values().removeIf(Deque::isEmpty);
      prestarted.removeDead(expired);
      running = new ArrayList<>(busy);
    }
    expired.forEach(ActionContainer::close);
    prestarted.replenish();
    for (ActionContainer container : running) {
      if (container.residentKb() > container.spec().limits().memoryMb() * 1024L) {
        container.killForMemory();
      }
    }
  }

  /**
   * Removes every idle runtime of every version of the action at {@code actionPath} ({@code
   * ns/pkg/name}, the version keys' part before {@code @}), with its directory: the action was
   * deleted or replaced.
   */
  public void evictAction(String actionPath) {
    evictWhere(key -> key.startsWith(actionPath + "@"));
  }

  /** Removes every idle runtime of the version (e.g. after the action was updated). */
  public void evict(String versionKey) {
    evictWhere(versionKey::equals);
  }

  private void evictWhere(Predicate<String> versionKey) {
    List<ActionContainer> removed = new ArrayList<>();
    synchronized (this) {
      for (Deque<Idle> list : idle.values()) {
        list.removeIf(
            entry -> {
              if (versionKey.test(entry.container().spec().versionKey())) {
                memoryInUseMb -= entry.container().spec().limits().memoryMb();
                removed.add(entry.container());
                return true;
              }
              return false;
            });
      }
      idle.values().removeIf(Deque::isEmpty);
    }
    removed.forEach(ActionContainer::close);
    images.evictWhere(versionKey);
  }

  public RuntimeStats stats() {
    // containers first, outside this pool's lock (the container pool takes its lock, then ours)
    ImageRuntimes.Counts containers = images.counts();
    synchronized (this) {
      return stats(containers);
    }
  }

  private RuntimeStats stats(ImageRuntimes.Counts containers) {
    Map<String, Integer> warm = new HashMap<>(containers.warmByVersion());
    int idleCount = containers.idle();
    for (Deque<Idle> list : idle.values()) {
      for (Idle entry : list) {
        warm.merge(entry.container().spec().versionKey(), 1, Integer::sum);
        idleCount++;
      }
    }
    return new RuntimeStats(
        idleCount + busy.size() + containers.busy(),
        busy.size() + containers.busy(),
        memoryInUseMb,
        config.memoryMb(),
        coldStarts.get(),
        warmStarts.get(),
        warm);
  }

  /**
   * Removes what earlier starts left under {@code base}: start directories of dead processes, old
   * layouts.
   */
  static void removeLeftovers(Path base) throws IOException {
    List<Path> stale = new ArrayList<>();
    try (var entries = Files.list(base)) {
      entries.forEach(
          p -> {
            String name = p.getFileName().toString();
            if (name.equals("actions") || name.equals("launchers")) {
              stale.add(p);
            } else if (name.startsWith("start-")) {
              String[] parts = name.split("-");
              long pid =
                  parts.length == 3 && parts[1].matches("\\d{1,18}")
                      ? Long.parseLong(parts[1])
                      : -1;
              if (pid > 0
                  && pid != ProcessHandle.current().pid()
                  && ProcessHandle.of(pid).isEmpty()) {
                stale.add(p);
              }
            }
          });
    }
    stale.forEach(ActionContainer::deleteQuietly);
  }

  /** The directory this start's runtimes use (tests). */
  public Path directory() {
    return config.workDir();
  }

  /** Kills every runtime, busy ones included, and removes the work directory's runtime files. */
  @Override
  public void close() {
    List<ActionContainer> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      idle.values().forEach(list -> list.forEach(entry -> all.add(entry.container())));
      idle.clear();
      prestarted.drainTo(all);
      all.addAll(busy);
    }
    housekeeping.shutdownNow();
    prestarted.shutdownNow();
    images.close();
    all.forEach(ActionContainer::close);
    ActionContainer.deleteQuietly(config.workDir());
    try {
      Files.deleteIfExists(base); // only when nothing else was left there
    } catch (IOException e) {
      // not empty or not ours to remove
    }
  }
}
