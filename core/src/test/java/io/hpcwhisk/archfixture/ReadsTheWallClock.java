package io.hpcwhisk.archfixture;

import java.time.Instant;

/**
 * Breaks the core rule on purpose: reads the wall clock. Only the architecture rule test uses it.
 */
public final class ReadsTheWallClock {
  private ReadsTheWallClock() {}

  public static Instant deadline() {
    return Instant.now().plusSeconds(60);
  }

  public static long millis() {
    return System.currentTimeMillis();
  }
}
