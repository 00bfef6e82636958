package io.hpcwhisk.balancer.entity;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An action's limits as OpenWhisk names them: {@code timeout} in milliseconds (100 ms – 14 days
 * here; the API refuses more than the administrator's {@code api.max-action-timeout-seconds}, by
 * default OpenWhisk's 5 min), {@code memory} in MB (128 – 2048), {@code logs} in MB (0 – 10),
 * {@code concurrency} (1 – 500); and HPC-Whisk's {@code cpu}: the cores the action's runtime is
 * pinned to (1 – {@value #MAX_CPU}; absent: the action asks for none and floats over its pilot's
 * cores, as in OpenWhisk).
 */
public record ActionLimits(
    int timeout,
    int memory,
    int logs,
    int concurrency,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer cpu) {

  /** Limits without {@code cpu}. */
  public ActionLimits(int timeout, int memory, int logs, int concurrency) {
    this(timeout, memory, logs, concurrency, null);
  }

  /** The cores the action asks for: {@code cpu}, or 0 when it asks for none. */
  public int cores() {
    return cpu == null ? 0 : cpu;
  }

  public static final int MIN_TIMEOUT = 100;

  /**
   * OpenWhisk's maximum timeout, 5 minutes: the default of {@code api.max-action-timeout-seconds}.
   */
  public static final int MAX_TIMEOUT = 300_000;

  /**
   * The largest timeout a stored action may hold: 14 days (the ceiling of the configuration key).
   */
  public static final int TIMEOUT_CEILING = 14 * 24 * 3600 * 1000;

  public static final int MIN_MEMORY = 128;
  public static final int MAX_MEMORY = 2048;
  public static final int MAX_LOGS = 10;
  public static final int MAX_CONCURRENCY = 500;

  /** No node offers more cores to one process than this; the live pilots' largest is lower. */
  public static final int MAX_CPU = 1024;

  public static final ActionLimits DEFAULT = new ActionLimits(60_000, 256, 10, 1);

  public ActionLimits {
    check(
        timeout >= MIN_TIMEOUT,
        "duration "
            + timeout
            + " milliseconds below allowed threshold of "
            + MIN_TIMEOUT
            + " milliseconds");
    check(
        timeout <= TIMEOUT_CEILING,
        "duration "
            + timeout
            + " milliseconds exceeds allowed threshold of "
            + TIMEOUT_CEILING
            + " milliseconds");
    check(
        memory >= MIN_MEMORY,
        "memory " + memory + " MB below allowed threshold of " + MIN_MEMORY + " MB");
    check(
        memory <= MAX_MEMORY,
        "memory " + memory + " MB exceeds allowed threshold of " + MAX_MEMORY + " MB");
    check(
        logs >= 0 && logs <= MAX_LOGS,
        "log size " + logs + " MB is not between 0 and " + MAX_LOGS + " MB");
    check(
        concurrency >= 1 && concurrency <= MAX_CONCURRENCY,
        "concurrency " + concurrency + " is not between 1 and " + MAX_CONCURRENCY);
    check(
        cpu == null || (cpu >= 1 && cpu <= MAX_CPU),
        "cpu " + cpu + " is not a number of cores between 1 and " + MAX_CPU);
  }

  /**
   * These limits, refused when the timeout is above {@code maxTimeoutMillis} (the administrator's
   * maximum) with OpenWhisk's message naming the value and the maximum.
   */
  public ActionLimits requireTimeoutAtMost(int maxTimeoutMillis) {
    check(
        timeout <= maxTimeoutMillis,
        "duration "
            + timeout
            + " milliseconds exceeds allowed threshold of "
            + maxTimeoutMillis
            + " milliseconds");
    return this;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("requirement failed: " + message);
    }
  }
}
