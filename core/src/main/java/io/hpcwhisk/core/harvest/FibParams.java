package io.hpcwhisk.core.harvest;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Parameters of the {@code fib} policy.
 *
 * @param ladder the pilot lengths (default 2, 4, 6, 8, 14, 22, 34, 56, 90 minutes); key {@code
 *     ladder}, e.g. {@code "2m,4m,6m"}
 * @param pendingPerLength pilots kept pending per length (default 10); key {@code
 *     pending-per-length}
 */
public record FibParams(List<Duration> ladder, int pendingPerLength) implements PolicyParams {

  public static final List<Duration> DEFAULT_LADDER = minutes(2, 4, 6, 8, 14, 22, 34, 56, 90);
  public static final int DEFAULT_PENDING_PER_LENGTH = 10;

  public FibParams {
    ladder = ladder.stream().distinct().sorted().toList();
    if (ladder.isEmpty()) {
      throw new IllegalArgumentException("fib ladder is empty");
    }
    if (ladder.get(0).compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException(
          "fib ladder lengths must be at least 1m, got " + ladder.get(0));
    }
    if (pendingPerLength < 0) {
      throw new IllegalArgumentException(
          "fib pending-per-length must be 0 or more, got " + pendingPerLength);
    }
  }

  public static FibParams defaults() {
    return new FibParams(DEFAULT_LADDER, DEFAULT_PENDING_PER_LENGTH);
  }

  @Override
  public String policyName() {
    return "fib";
  }

  private static List<Duration> minutes(long... values) {
    return Arrays.stream(values).mapToObj(Duration::ofMinutes).toList();
  }
}
