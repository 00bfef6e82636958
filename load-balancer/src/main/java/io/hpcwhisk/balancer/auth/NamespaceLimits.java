package io.hpcwhisk.balancer.auth;

/**
 * A namespace's own limits, set by {@code hpc-whisk admin user limits}; a null field means the
 * server's default ({@code api.invocations-per-minute} and so on), as OpenWhisk's per-namespace
 * limits.
 */
public record NamespaceLimits(
    Integer invocationsPerMinute, Integer concurrentInvocations, Integer firesPerMinute) {

  public static final NamespaceLimits NONE = new NamespaceLimits(null, null, null);

  public NamespaceLimits {
    positive(invocationsPerMinute, "invocations-per-minute");
    positive(concurrentInvocations, "concurrent-invocations");
    positive(firesPerMinute, "fires-per-minute");
  }

  private static void positive(Integer value, String name) {
    if (value != null && value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
  }

  /** These limits with {@code other}'s non-null fields taking over. */
  public NamespaceLimits with(NamespaceLimits other) {
    return new NamespaceLimits(
        other.invocationsPerMinute != null ? other.invocationsPerMinute : invocationsPerMinute,
        other.concurrentInvocations != null ? other.concurrentInvocations : concurrentInvocations,
        other.firesPerMinute != null ? other.firesPerMinute : firesPerMinute);
  }
}
