package io.hpcwhisk.balancer.invoke;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** OpenWhisk activation ids: 32 lower-case hex digits. */
public final class ActivationIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern VALID = Pattern.compile("[0-9a-f]{32}");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ActivationIds() {}

  public static String next() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    char[] out = new char[32];
    for (int i = 0; i < 16; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }
}
