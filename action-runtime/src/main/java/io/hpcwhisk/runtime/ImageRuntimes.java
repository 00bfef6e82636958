package io.hpcwhisk.runtime;

import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.runtime.container.ContainerEngine;
import io.hpcwhisk.runtime.container.ContainerSettings;
import io.hpcwhisk.runtime.container.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm pool of container actions ({@link ActionSpec#image()} set), beside {@link
 * ActionRuntimes}'s own pool and sharing its memory budget: a container runs the next activations
 * of the same action version and is removed after the idle timeout or when its memory is needed;
 * the image checks ({@link ImageReference}), loading from the image directory and clean-up ({@link
 * #close}, {@link ContainerSettings#PID_LABEL}) are stated in docs/admin-guide.md §7, "Container
 * actions".
 */
final class ImageRuntimes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ImageRuntimes.class);
  private static final long PRESENT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final RuntimeConfig config;
  private final ContainerSettings settings;
  private final IntFunction<String> reserve;
  private final IntConsumer unreserve;
  private final Runnable onCold;
  private final Runnable onWarm;
  private final Map<PoolKey, Deque<Idle>> idle = new HashMap<>();
  private final Set<ImageContainer> busy = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> present = new ConcurrentHashMap<>();
  private final Map<String, Object> loadLocks = new ConcurrentHashMap<>();
  private final ScheduledExecutorService housekeeping;
  private volatile Optional<ContainerEngine> engine;
  private volatile String engineProblem;
  private volatile boolean engineChecked;
  private boolean closed;

  private record Idle(ImageContainer container, long sinceNanos) {}

  private record PoolKey(
      String versionKey, String image, ActionLimits limits, Map<String, String> env) {}

  /**
   * A pool that reserves memory with {@code reserve} (null: reserved, else the refusal) and frees
   * it with {@code unreserve}, and counts starts with {@code onCold} / {@code onWarm}.
   */
  ImageRuntimes(
      RuntimeConfig config,
      ContainerSettings settings,
      IntFunction<String> reserve,
      IntConsumer unreserve,
      Runnable onCold,
      Runnable onWarm) {
    this.config = config;
    this.settings = settings;
    this.reserve = reserve;
    this.unreserve = unreserve;
    this.onCold = onCold;
    this.onWarm = onWarm;
    this.engine = settings.engineInstance();
    this.housekeeping =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "container-housekeeping");
              thread.setDaemon(true);
              return thread;
            });
    housekeeping.scheduleWithFixedDelay(this::housekeep, 1, 1, TimeUnit.SECONDS);
  }

  /** Why container actions cannot run on this node, or empty when the engine works. */
  Optional<String> engineProblem() {
    if (!engineChecked) {
      synchronized (this) {
        if (!engineChecked) {
          if (engine.isEmpty()) {
            engineProblem =
                "container actions are switched off on this pilot (pilot.container-engine: none)";
          } else {
            engineProblem = engine.get().problem().orElse(null);
            if (engineProblem == null) {
              // first container action of this pool: containers of dead pilots go (in the
              // background; pools without container actions never call the engine)
              housekeeping.execute(this::removeLeftovers);
            }
          }
          engineChecked = true;
        }
      }
    }
    return Optional.ofNullable(engineProblem);
  }

  ActivationResult invoke(ActionSpec spec, ActivationInput input, BooleanSupplier start) {
    Instant now = Instant.now();
    Optional<String> badName = ImageReference.check(spec.image());
    if (badName.isPresent()) {
      return developerError(
          "The image '" + spec.image() + "' is refused: " + badName.get() + ".", now);
    }
    Optional<String> problem = engineProblem();
    if (problem.isPresent()) {
      return developerError(
          "This pilot cannot run the container image '"
              + spec.image()
              + "': "
              + problem.get()
              + ".",
          now);
    }
    PoolKey key = new PoolKey(spec.versionKey(), spec.image(), spec.limits(), spec.env());
    ImageContainer warm = takeIdle(key);
    if (warm != null) {
      if (!start.getAsBoolean()) {
        release(key, warm);
        return null;
      }
      onWarm.run();
      ActivationResult result = warm.run(input);
      release(key, warm);
      return result;
    }
    Optional<String> missing = ensureImage(spec.image());
    if (missing.isPresent()) {
      return developerError(missing.get(), now);
    }
    int memory = spec.limits().memoryMb();
    String refusal = reserve.apply(memory);
    while (refusal != null && evictOldestIdle()) {
      refusal = reserve.apply(memory);
    }
    if (refusal != null) {
      return ActivationResult.whiskError(refusal, now);
    }
    onCold.run();
    ImageContainer.Started started =
        ImageContainer.start(spec, config, engine.orElseThrow(), settings);
    if (started instanceof ImageContainer.Started.Failed failed) {
      unreserve.accept(memory);
      return failed.result();
    }
    ImageContainer.Started.Ready ready = (ImageContainer.Started.Ready) started;
    ImageContainer container = ready.container();
    synchronized (this) {
      if (closed) {
        container.close();
        unreserve.accept(memory);
        return ActivationResult.whiskError("The runtimes are shutting down.", now);
      }
      busy.add(container);
    }
    if (!start.getAsBoolean()) {
      release(key, container);
      return null;
    }
    ActivationResult result = container.run(input).asCold(ready.initStart(), ready.initTime());
    release(key, container);
    return result;
  }

  private static ActivationResult developerError(String message, Instant at) {
    return ActivationResult.error(ActivationStatus.DEVELOPER_ERROR, message, List.of(), at, at);
  }

  /**
   * Makes sure the image is in the node's store (loading it from the image directory if need be);
   * the developer error's message when it is not.
   */
  private Optional<String> ensureImage(String image) {
    Long seen = present.get(image);
    if (seen != null && System.nanoTime() - seen < PRESENT_NANOS) {
      return Optional.empty();
    }
    ContainerEngine e = engine.orElseThrow();
    if (e.hasImage(image)) {
      present.put(image, System.nanoTime());
      return Optional.empty();
    }
    String notFound =
        "The container image '"
            + image
            + "' is not in this site's image store ("
            + e.name()
            + " on this node"
            + (settings.images() == null ? "" : ", or the image directory")
            + "); images are never pulled from a registry: build or load it on the site (see the"
            + " user guide, Container actions).";
    if (settings.images() == null) {
      return Optional.of(notFound);
    }
    synchronized (loadLocks.computeIfAbsent(image, k -> new Object())) {
      if (e.hasImage(image)) {
        present.put(image, System.nanoTime());
        return Optional.empty();
      }
      Path archive = settings.images().resolve(image.replaceAll("[/:]", "_") + ".tar");
      if (!Files.isRegularFile(archive, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(notFound);
      }
      Optional<String> untrusted = untrusted(archive);
      if (untrusted.isPresent()) {
        LOG.warn("not loading image archive {}: {}", archive, untrusted.get());
        return Optional.of(
            "The container image '"
                + image
                + "' is in the image directory, but its archive is refused: "
                + untrusted.get()
                + " (the administrator must fix it).");
      }
      Optional<String> failed = e.load(archive);
      if (failed.isPresent() || !e.hasImage(image)) {
        LOG.warn("loading {} gave no image {}: {}", archive, image, failed.orElse("not tagged"));
        return Optional.of(
            "The container image '"
                + image
                + "' could not be loaded from the image directory (its archive holds no image of"
                + " that name, or "
                + e.name()
                + " refused it).");
      }
      LOG.info("loaded container image {} from {}", image, archive);
      present.put(image, System.nanoTime());
      return Optional.empty();
    }
  }

  /**
   * Why an archive is not trusted: owned by someone other than root or this process's user, or
   * writable by group or others (then another user could have swapped the image).
   */
  static Optional<String> untrusted(Path archive) {
    try {
      PosixFileAttributes attributes =
          Files.readAttributes(archive, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      String owner = attributes.owner().getName();
      String me = System.getProperty("user.name");
      if (!owner.equals("root") && !owner.equals(me)) {
        return Optional.of("it is owned by " + owner + ", not root or " + me);
      }
      Set<PosixFilePermission> perms = attributes.permissions();
      if (perms.contains(PosixFilePermission.GROUP_WRITE)
          || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
        return Optional.of("it is writable by group or others");
      }
      return Optional.empty();
    } catch (IOException ex) {
      return Optional.of("cannot read its attributes");
    }
  }

  private synchronized ImageContainer takeIdle(PoolKey key) {
    Deque<Idle> list = idle.get(key);
    while (list != null && !list.isEmpty()) {
      ImageContainer container = list.pollLast().container();
      if (container.alive()) {
        busy.add(container);
        return container;
      }
      unreserve.accept(container.spec().limits().memoryMb());
      housekeeping.execute(container::close);
    }
    return null;
  }

  private void release(PoolKey key, ImageContainer container) {
    boolean close = false;
    synchronized (this) {
      busy.remove(container);
      if (container.alive() && !closed) {
        idle.computeIfAbsent(key, k -> new ArrayDeque<>())
            .addLast(new Idle(container, System.nanoTime()));
      } else {
        unreserve.accept(container.spec().limits().memoryMb());
        close = true;
      }
    }
    if (close) {
      container.close();
    }
  }

  /** Removes the least recently used idle container; false when there is none. */
  boolean evictOldestIdle() {
    ImageContainer victim = null;
    synchronized (this) {
      Idle oldest = null;
      Deque<Idle> from = null;
      for (Deque<Idle> list : idle.values()) {
        Idle first = list.peekFirst();
        if (first != null && (oldest == null || first.sinceNanos() < oldest.sinceNanos())) {
          oldest = first;
          from = list;
        }
      }
      if (oldest == null) {
        return false;
      }
      from.remove(oldest);
      victim = oldest.container();
      unreserve.accept(victim.spec().limits().memoryMb());
    }
    victim.close();
    return true;
  }

  /** Removes the idle containers of the versions {@code versionKey} accepts. */
  void evictWhere(Predicate<String> versionKey) {
    List<ImageContainer> removed = new ArrayList<>();
    synchronized (this) {
      for (Deque<Idle> list : idle.values()) {
        list.removeIf(
            entry -> {
              if (versionKey.test(entry.container().spec().versionKey())) {
                unreserve.accept(entry.container().spec().limits().memoryMb());
                removed.add(entry.container());
                return true;
              }
              return false;
            });
      }
      idle.values().removeIf(Deque::isEmpty);
    }
    removed.forEach(ImageContainer::close);
  }

  /** Idle and busy containers, and the idle ones per action version. */
  record Counts(int idle, int busy, Map<String, Integer> warmByVersion) {}

  synchronized Counts counts() {
    Map<String, Integer> warm = new HashMap<>();
    int idleCount = 0;
    for (Deque<Idle> list : idle.values()) {
      for (Idle entry : list) {
        warm.merge(entry.container().spec().versionKey(), 1, Integer::sum);
        idleCount++;
      }
    }
    return new Counts(idleCount, busy.size(), warm);
  }

  /** Idle and busy containers (tests, stats). */
  synchronized int size() {
    int count = busy.size();
    for (Deque<Idle> list : idle.values()) {
      count += list.size();
    }
    return count;
  }

  private void housekeep() {
    List<ImageContainer> expired = new ArrayList<>();
    long now = System.nanoTime();
    long idleNanos = config.idleTimeout().toNanos();
    synchronized (this) {
      for (Deque<Idle> list : idle.values()) {
        for (Iterator<Idle> it = list.iterator(); it.hasNext(); ) {
          Idle entry = it.next();
          if (now - entry.sinceNanos() > idleNanos || !entry.container().alive()) {
            it.remove();
            unreserve.accept(entry.container().spec().limits().memoryMb());
            expired.add(entry.container());
          }
        }
      }
      idle.values().removeIf(Deque::isEmpty);
    }
    expired.forEach(ImageContainer::close);
  }

  /** Removes containers labelled by a pilot process that is gone (this node's leftovers). */
  private void removeLeftovers() {
    try {
      ContainerEngine e = engine.orElseThrow();
      if (e.problem().isPresent()) {
        return;
      }
      e.labelled(ContainerSettings.PID_LABEL)
          .forEach(
              (name, pid) -> {
                long p = pid.matches("\\d{1,18}") ? Long.parseLong(pid) : -1;
                if (p > 0 && p != ProcessHandle.current().pid() && ProcessHandle.of(p).isEmpty()) {
                  LOG.info("removing container {} left by pilot process {}", name, pid);
                  e.remove(name);
                }
              });
    } catch (RuntimeException ex) {
      LOG.warn("cannot look for leftover containers", ex);
    }
  }

  /** Kills and removes every container, busy ones included. */
  @Override
  public void close() {
    List<ImageContainer> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      idle.values().forEach(list -> list.forEach(entry -> all.add(entry.container())));
      idle.clear();
      all.addAll(busy);
    }
    housekeeping.shutdownNow();
    all.parallelStream().forEach(ImageContainer::close);
  }
}
