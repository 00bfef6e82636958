package io.hpcwhisk.archfixture;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.random.RandomGenerator;

/** Keeps the core rules: time and randomness come in as arguments. */
public final class UsesTimeAsInput {
  private UsesTimeAsInput() {}

  public static Instant deadline(InstantSource clock, Duration timeout) {
    return clock.instant().plus(timeout);
  }

  public static int pick(RandomGenerator random, int bound) {
    return random.nextInt(bound);
  }
}
