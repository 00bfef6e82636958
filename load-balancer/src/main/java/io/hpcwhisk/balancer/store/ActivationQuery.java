package io.hpcwhisk.balancer.store;

/**
 * A filter over a namespace's activation records, newest first: by action {@code name} (simple or
 * {@code pkg/name}, null for all), by start time ({@code since}/{@code upto} in epoch milliseconds,
 * inclusive, null for open) with {@code skip} and {@code limit}.
 */
public record ActivationQuery(String name, Long since, Long upto, int skip, int limit) {
  public ActivationQuery {
    if (skip < 0 || limit < 0) {
      throw new IllegalArgumentException(
          "skip and limit must be >= 0, got " + skip + " and " + limit);
    }
  }

  public boolean matches(String recordName, String recordPath, long start) {
    if (since != null && start < since) {
      return false;
    }
    if (upto != null && start > upto) {
      return false;
    }
    if (name == null) {
      return true;
    }
    return name.contains("/") ? recordPath.endsWith("/" + name) : name.equals(recordName);
  }
}
