package io.hpcwhisk.balancer.api;

import java.util.Base64;

/** Tells base64-encoded archives (zip, jar) from plain source text in {@code exec.code}. */
final class CodeFormat {
  private CodeFormat() {}

  /** True when the code is base64 whose bytes start with the zip magic {@code PK\3\4}. */
  static boolean isBase64Zip(String code) {
    String t = code.trim();
    if (t.length() < 8 || t.length() % 4 != 0) {
      return false;
    }
    try {
      byte[] head = Base64.getDecoder().decode(t.substring(0, 8));
      return head.length >= 4
          && head[0] == 'P'
          && head[1] == 'K'
          && head[2] == 3
          && head[3] == 4
          && isBase64(t);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isBase64(String t) {
    try {
      Base64.getDecoder().decode(t);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
