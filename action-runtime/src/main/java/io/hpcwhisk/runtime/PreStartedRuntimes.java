package io.hpcwhisk.runtime;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import org.slf4j.LoggerFactory;

/**
 * The pre-started runtimes of an {@link ActionRuntimes} pool ({@link Prewarm}): the idle ones per
 * kind, those being started, and the background threads that start them. Its state is guarded by
 * the owner's lock (the pool's monitor), and the memory a pre-started runtime holds counts in the
 * owner's memory in use: {@code freeMemoryMb}, {@code addMemoryInUse} and {@code closed} are read
 * and changed holding that lock. Methods marked "guarded by the lock" are called holding it.
 */
final class PreStartedRuntimes {

  /** After a failed pre-start, no new one for this long. */
  private static final long STEM_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Object lock;
  private final RuntimeConfig config;
  private final Launchers launchers;
  private final DevicePool devices;
  private final Semaphore launches;
  private final IntSupplier freeMemoryMb;
  private final IntConsumer addMemoryInUse;
  private final BooleanSupplier closed;

  /** Pre-started runtimes per kind (guarded by the lock). */
  private final Map<ActionKind, Deque<ActionContainer>> stems = new EnumMap<>(ActionKind.class);

  /** Pre-started runtimes being started per kind (guarded by the lock). */
  private final Map<ActionKind, Integer> stemsStarting = new EnumMap<>(ActionKind.class);

  private volatile Prewarm prewarm = Prewarm.NONE;

  /** Set by {@link #warmedUp}: pre-started runtimes start only after it (not during start-up). */
  private volatile boolean warmedUp;

  private final AtomicLong prewarmedStarts = new AtomicLong();
  private final AtomicLong stemFailures = new AtomicLong();

  /** After a failed pre-start, no new one before this time (System.nanoTime). */
  private volatile long stemPauseUntilNanos = System.nanoTime();

  private final ExecutorService stemStarter;

  /**
   * Pre-started runtimes of {@code config} under the owner's {@code lock}; {@code launches} bounds
   * the runtime processes launched at once (shared with cold starts).
   */
  PreStartedRuntimes(
      Object lock,
      RuntimeConfig config,
      Launchers launchers,
      DevicePool devices,
      Semaphore launches,
      IntSupplier freeMemoryMb,
      IntConsumer addMemoryInUse,
      BooleanSupplier closed) {
    this.lock = lock;
    this.config = config;
    this.launchers = launchers;
    this.devices = devices;
    this.launches = launches;
    this.freeMemoryMb = freeMemoryMb;
    this.addMemoryInUse = addMemoryInUse;
    this.closed = closed;
    this.stemStarter =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread thread = new Thread(r, "runtime-prewarm");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** The owner has warmed up: pre-started runtimes may start from now on. */
  void warmedUp() {
    warmedUp = true;
    replenish();
  }

  /** Keeps {@code value}'s pre-started runtimes from now on. */
  void prewarm(Prewarm value) {
    this.prewarm = Objects.requireNonNull(value, "prewarm");
    replenish();
  }

  Prewarm prewarm() {
    return prewarm;
  }

  /** Idle pre-started runtimes of {@code kind} now (guarded by the lock). */
  int idle(ActionKind kind) {
    Deque<ActionContainer> list = stems.get(kind);
    return list == null ? 0 : list.size();
  }

  /** How many cold starts used a pre-started runtime. */
  long prewarmedStarts() {
    return prewarmedStarts.get();
  }

  /** Counts a cold start on a pre-started runtime. */
  void countPrewarmedStart() {
    prewarmedStarts.incrementAndGet();
  }

  /** How many pre-started runtimes could not be started. */
  long failures() {
    return stemFailures.get();
  }

  /**
   * Starts the missing pre-started runtimes in the background: per kind, what {@link
   * Prewarm#toStart} says with the memory free now (the memory is reserved before the start).
   */
  void replenish() {
    Prewarm plan = prewarm;
    if (!plan.enabled() || !warmedUp || System.nanoTime() - stemPauseUntilNanos < 0) {
      return;
    }
    Map<ActionKind, Integer> start = new EnumMap<>(ActionKind.class);
    synchronized (lock) {
      if (closed.getAsBoolean()) {
        return;
      }
      for (ActionKind kind : plan.counts().keySet()) {
        Deque<ActionContainer> list = stems.get(kind);
        int idleStems = list == null ? 0 : list.size();
        int starting = stemsStarting.getOrDefault(kind, 0);
        int n = plan.toStart(kind, idleStems, starting, freeMemoryMb.getAsInt());
        if (n > 0) {
          addMemoryInUse.accept(n * plan.memoryMb());
          stemsStarting.merge(kind, n, Integer::sum);
          start.put(kind, n);
        }
      }
    }
    boolean hideGpus = !devices.gpus().isEmpty();
    start.forEach(
        (kind, n) -> {
          for (int i = 0; i < n; i++) {
            try {
              stemStarter.execute(() -> startStem(kind, plan.memoryMb(), hideGpus));
            } catch (RejectedExecutionException e) {
              synchronized (lock) {
                stemsStarting.merge(kind, -1, Integer::sum);
                addMemoryInUse.accept(-plan.memoryMb());
              }
            }
          }
        });
  }

  private void startStem(ActionKind kind, int memoryMb, boolean hideGpus) {
    ActionContainer stem = null;
    boolean permit = false;
    try {
      launches.acquire();
      permit = true;
      stem = ActionContainer.startStem(kind, memoryMb, config, launchers, hideGpus);
    } catch (IOException | RuntimeException e) {
      stemFailures.incrementAndGet();
      stemPauseUntilNanos = System.nanoTime() + STEM_PAUSE_NANOS;
      LoggerFactory.getLogger(ActionRuntimes.class)
          .warn("cannot pre-start a {} runtime: {}", kind, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (permit) {
        launches.release();
      }
    }
    boolean keep = false;
    synchronized (lock) {
      stemsStarting.merge(kind, -1, Integer::sum);
      if (stem != null && !closed.getAsBoolean() && prewarm.memoryMb() == memoryMb) {
        stems.computeIfAbsent(kind, k -> new ArrayDeque<>()).addLast(stem);
        keep = true;
      } else {
        addMemoryInUse.accept(-memoryMb);
      }
      lock.notifyAll(); // a start waiting for this memory takes the new runtime back (reserve)
    }
    if (!keep && stem != null) {
      stem.close();
    }
  }

  /**
   * A live pre-started runtime for {@code spec} (its memory stays reserved for the action), or null
   * when the spec does not fit one or none is ready; asks for a replacement.
   */
  ActionContainer take(ActionSpec spec) {
    if (!prewarm.fits(spec)) {
      return null;
    }
    ActionContainer taken = null;
    List<ActionContainer> dead = new ArrayList<>();
    synchronized (lock) {
      Deque<ActionContainer> list = stems.get(spec.actionKind());
      while (list != null && !list.isEmpty()) {
        ActionContainer stem = list.pollFirst();
        if (stem.alive()) {
          taken = stem;
          break;
        }
        addMemoryInUse.accept(-stem.spec().limits().memoryMb());
        dead.add(stem);
      }
    }
    dead.forEach(ActionContainer::close);
    if (taken != null) {
      replenish();
    }
    return taken;
  }

  /** Pre-started runtimes being started now (guarded by the lock). */
  int starting() {
    int n = 0;
    for (int count : stemsStarting.values()) {
      n += count;
    }
    return n;
  }

  /**
   * Removes and returns an idle pre-started runtime of the kind with the most (guarded by the
   * lock).
   */
  ActionContainer takeAny() {
    Deque<ActionContainer> most = null;
    for (Deque<ActionContainer> list : stems.values()) {
      if (!list.isEmpty() && (most == null || list.size() > most.size())) {
        most = list;
      }
    }
    return most == null ? null : most.pollLast();
  }

  /**
   * Moves the dead idle pre-started runtimes to {@code expired}, giving their memory back (guarded
   * by the lock).
   */
  void removeDead(List<ActionContainer> expired) {
    for (Deque<ActionContainer> list : stems.values()) {
      for (Iterator<ActionContainer> it = list.iterator(); it.hasNext(); ) {
        ActionContainer stem = it.next();
        if (!stem.alive()) {
          it.remove();
          addMemoryInUse.accept(-stem.spec().limits().memoryMb());
          expired.add(stem);
        }
      }
    }
  }

  /** Moves every idle pre-started runtime to {@code all} (guarded by the lock; on close). */
  void drainTo(List<ActionContainer> all) {
    stems.values().forEach(all::addAll);
    stems.clear();
  }

  /** Stops the background starts (on close). */
  void shutdownNow() {
    stemStarter.shutdownNow();
  }
}
