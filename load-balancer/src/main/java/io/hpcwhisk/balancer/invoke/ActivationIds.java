package io.hpcwhisk.balancer.invoke;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * OpenWhisk activation ids: 32 lower-case hex digits. HPC-Whisk's start with the epoch milliseconds
 * (11 hex digits) and end with 84 random bits, so that ids made close in time sort close together
 * and the store writes one region of its indexes per commit instead of pages all over them. The
 * random bits only keep ids apart (an id grants nothing: reading a record needs its namespace's
 * key), so they come from {@link ThreadLocalRandom}, not a {@code SecureRandom} that reads {@code
 * /dev/urandom} under a lock for every id.
 */
public final class ActivationIds {
  private static final Pattern VALID = Pattern.compile("[0-9a-f]{32}");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ActivationIds() {}

  public static String next() {
    return next(System.currentTimeMillis());
  }

  static String next(long epochMillis) {
    byte[] bytes = new byte[11];
    ThreadLocalRandom.current().nextBytes(bytes);
    char[] out = new char[32];
    for (int i = 10; i >= 0; i--) {
      out[i] = HEX[(int) (epochMillis & 0xf)];
      epochMillis >>>= 4;
    }
    for (int i = 11; i < 32; i++) {
      out[i] = HEX[bytes[(i - 11) / 2] >> ((i & 1) == 0 ? 0 : 4) & 0xf];
    }
    return new String(out);
  }

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }
}
