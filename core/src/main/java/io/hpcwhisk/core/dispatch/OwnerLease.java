package io.hpcwhisk.core.dispatch;

/**
 * Whether a server sharing a database with others may still hand its activations to pilots: {@code
 * beat(sentNanos) / at(nowNanos) / reconciled(sentNanos) -> lease}, {@code holds(nowNanos)}.
 *
 * <p><b>Algorithm.</b> Other servers take over a server's activations once its heartbeat row is
 * older than {@code staleMs} on the database's clock. The heartbeat's timestamp is written after
 * the server read its monotonic clock ({@code sentNanos}), so nobody can take over before {@code
 * sentNanos + staleMs}. The server acts only until {@code sentNanos + staleMs - margin} of its last
 * committed heartbeat ({@link #leaseMs}: the margin is a quarter of {@code staleMs}, at least 100
 * ms, for the two clocks' rates and the time between a check and the send it allows). Once that
 * time has passed (a long GC pause, SIGSTOP, an overloaded host, a database that did not answer)
 * the lease is <i>lapsed</i> and stays lapsed even when later heartbeats commit: the server may
 * have lost activations meanwhile, and only {@link #reconciled} — a heartbeat committed together
 * with a re-read of what the server still owns, and the lost ones dropped — gives it back.
 *
 * <p><b>Example.</b> {@code staleMs} 1500: lease 1125 ms. A heartbeat sent at t=0 holds until
 * t=1125 ms; one sent at t=300 ms until 1425 ms. The process is stopped from t=400 ms to t=6 s: at
 * t=6 s {@code at(6 s)} is lapsed, and a heartbeat sent at 6 s leaves it lapsed; {@code
 * reconciled(6.01 s)} holds until 7.135 s.
 *
 * <p><b>Known caveats.</b> The lease is only as good as the clocks: the database host's wall clock
 * must not be stepped forward by more than the margin (NTP slews), and a pause that falls between a
 * successful check and the frame it allows still sends that frame late (the window is the few
 * instructions between them; the shell logs it when it happens). Nanosecond times are compared by
 * difference, as {@link System#nanoTime()} requires.
 *
 * @param validUntilNanos the monotonic time before which the lease holds (unless lapsed)
 * @param lapsed whether it ran out since the last reconciliation
 * @param leaseNanos how long a committed heartbeat holds the lease
 */
public record OwnerLease(long validUntilNanos, boolean lapsed, long leaseNanos) {

  public OwnerLease {
    if (leaseNanos <= 0) {
      throw new IllegalArgumentException("leaseNanos must be positive, got " + leaseNanos);
    }
  }

  /** How long a heartbeat holds the lease: {@code staleMs} less the margin (see class comment). */
  public static long leaseMs(long staleMs) {
    if (staleMs < 200) {
      throw new IllegalArgumentException(
          "server-stale-ms must be at least 200 ms for a lease, got " + staleMs);
    }
    return staleMs - Math.max(100, staleMs / 4);
  }

  /** The lease of a server whose first heartbeat, sent at {@code sentNanos}, committed. */
  public static OwnerLease first(long sentNanos, long staleMs) {
    long lease = leaseMs(staleMs) * 1_000_000L;
    return new OwnerLease(sentNanos + lease, false, lease);
  }

  /**
   * A heartbeat sent at {@code sentNanos} committed: the lease runs from then (never shorter than
   * it was), but a lapsed lease stays lapsed.
   */
  public OwnerLease beat(long sentNanos) {
    OwnerLease checked = at(sentNanos);
    long until = sentNanos + leaseNanos;
    return new OwnerLease(
        until - validUntilNanos > 0 ? until : validUntilNanos, checked.lapsed, leaseNanos);
  }

  /** The lease as of {@code nowNanos}: lapsed once its time has passed. */
  public OwnerLease at(long nowNanos) {
    return lapsed || nowNanos - validUntilNanos < 0
        ? this
        : new OwnerLease(validUntilNanos, true, leaseNanos);
  }

  /** Whether the server may hand activations to pilots at {@code nowNanos}. */
  public boolean holds(long nowNanos) {
    return !lapsed && nowNanos - validUntilNanos < 0;
  }

  /**
   * A heartbeat sent at {@code sentNanos} committed together with the re-read of what the server
   * still owns, and what it lost was dropped: the lease holds again from {@code sentNanos}.
   */
  public OwnerLease reconciled(long sentNanos) {
    return new OwnerLease(sentNanos + leaseNanos, false, leaseNanos);
  }
}
