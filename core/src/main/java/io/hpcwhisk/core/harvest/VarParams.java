package io.hpcwhisk.core.harvest;

import io.hpcwhisk.core.time.Durations;
import java.time.Duration;

/**
 * Parameters of the {@code var} policy.
 *
 * @param pending pilots kept pending (default 100); key {@code pending}
 * @param time their time limit (default 2h); key {@code time}
 * @param timeMin their minimum time limit (default 2m); key {@code time-min}
 */
public record VarParams(int pending, Duration time, Duration timeMin) implements PolicyParams {

  public static final int DEFAULT_PENDING = 100;
  public static final Duration DEFAULT_TIME = Duration.ofHours(2);
  public static final Duration DEFAULT_TIME_MIN = Duration.ofMinutes(2);

  public VarParams {
    if (pending < 0) {
      throw new IllegalArgumentException("var pending must be 0 or more, got " + pending);
    }
    if (timeMin.compareTo(Duration.ofMinutes(1)) < 0 || timeMin.compareTo(time) > 0) {
      throw new IllegalArgumentException(
          "var time-min must be in [1m, time="
              + Durations.format(time)
              + "], got "
              + Durations.format(timeMin));
    }
  }

  public static VarParams defaults() {
    return new VarParams(DEFAULT_PENDING, DEFAULT_TIME, DEFAULT_TIME_MIN);
  }

  @Override
  public String policyName() {
    return "var";
  }
}
