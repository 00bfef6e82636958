package io.hpcwhisk.balancer.invoke;

import io.hpcwhisk.balancer.auth.NamespaceLimits;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Per-namespace limits as OpenWhisk applies them: invocations and trigger fires per minute (counted
 * in the current clock minute, as OpenWhisk's rate throttler does) and activations in flight. A
 * refusal is OpenWhisk's message for a 429.
 *
 * <p>Each namespace may have its own limits (set by the administrator), the defaults apply
 * elsewhere.
 *
 * <p>Known caveats: the minute window is fixed, not sliding, so a burst across a minute boundary
 * may see up to twice the rate; counts live in memory and start at zero after a restart.
 */
public final class NamespaceThrottle {

  private final InstantSource clock;
  private final Function<String, NamespaceLimits> overrides;
  private final int invocationsPerMinute;
  private final int firesPerMinute;
  private final int concurrentInvocations;
  private final ConcurrentHashMap<String, Window> invocations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Window> fires = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  public NamespaceThrottle(
      InstantSource clock,
      int invocationsPerMinute,
      int firesPerMinute,
      int concurrentInvocations) {
    this(
        clock,
        invocationsPerMinute,
        firesPerMinute,
        concurrentInvocations,
        ns -> NamespaceLimits.NONE);
  }

  /** With per-namespace {@code overrides} of the defaults (fields left null keep the default). */
  public NamespaceThrottle(
      InstantSource clock,
      int invocationsPerMinute,
      int firesPerMinute,
      int concurrentInvocations,
      Function<String, NamespaceLimits> overrides) {
    this.clock = clock;
    this.overrides = overrides;
    this.invocationsPerMinute = invocationsPerMinute;
    this.firesPerMinute = firesPerMinute;
    this.concurrentInvocations = concurrentInvocations;
  }

  public int invocationsPerMinute() {
    return invocationsPerMinute;
  }

  public int firesPerMinute() {
    return firesPerMinute;
  }

  public int concurrentInvocations() {
    return concurrentInvocations;
  }

  /** The limits that apply to {@code namespace}: its own where set, the defaults elsewhere. */
  public NamespaceLimits effective(String namespace) {
    NamespaceLimits own = overrides.apply(namespace);
    return new NamespaceLimits(invocationsPerMinute, concurrentInvocations, firesPerMinute)
        .with(own == null ? NamespaceLimits.NONE : own);
  }

  /** Counts one invocation; empty when allowed, else the 429 message. */
  public Optional<String> tryInvoke(String namespace) {
    NamespaceLimits limits = effective(namespace);
    int active = inFlight.computeIfAbsent(namespace, n -> new AtomicInteger()).get();
    if (active >= limits.concurrentInvocations()) {
      return Optional.of(
          "Too many concurrent requests in flight (count: "
              + active
              + ", allowed: "
              + limits.concurrentInvocations()
              + ").");
    }
    return count(invocations, namespace, limits.invocationsPerMinute());
  }

  /** Counts one trigger fire; empty when allowed, else the 429 message. */
  public Optional<String> tryFire(String namespace) {
    return count(fires, namespace, effective(namespace).firesPerMinute());
  }

  public void started(String namespace) {
    inFlight.computeIfAbsent(namespace, n -> new AtomicInteger()).incrementAndGet();
  }

  public void ended(String namespace) {
    AtomicInteger n = inFlight.get(namespace);
    if (n != null) {
      n.decrementAndGet();
    }
  }

  private Optional<String> count(
      ConcurrentHashMap<String, Window> windows, String namespace, int allowed) {
    long minute = clock.millis() / 60_000;
    Window w =
        windows.compute(
            namespace, (k, old) -> old == null || old.minute != minute ? new Window(minute) : old);
    int count = w.count.incrementAndGet();
    if (count > allowed) {
      w.count.decrementAndGet();
      return Optional.of(
          "Too many requests in the last minute (count: "
              + (count - 1)
              + ", allowed: "
              + allowed
              + ").");
    }
    return Optional.empty();
  }

  private static final class Window {
    final long minute;
    final AtomicInteger count = new AtomicInteger();

    Window(long minute) {
      this.minute = minute;
    }
  }
}
