package io.hpcwhisk.archfixture;

import java.util.concurrent.ThreadLocalRandom;

/** Breaks the core rule on purpose: draws from an unseeded random source. */
public final class UsesThreadLocalRandom {
  private UsesThreadLocalRandom() {}

  public static int pick(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }
}
