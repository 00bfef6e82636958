package io.hpcwhisk.balancer.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What {@code identities.json} keeps of a key instead of the key: a random per-key {@code salt},
 * the {@code hmac} HMAC-SHA256(salt, key) and a short {@code fingerprint}; why a keyed hash and
 * what the fingerprint reveals: docs/admin-guide.md §7, "Users, keys and their rotation" ({@link
 * IdentityStore} keeps verified keys in memory, so a key is hashed about once per user and run).
 */
public record KeyDigest(String salt, String hmac, String fingerprint) {

  private static final int SALT_BYTES = 16;

  public KeyDigest {
    if (salt == null || hmac == null || fingerprint == null) {
      throw new IllegalArgumentException("a key digest needs salt, hmac and fingerprint");
    }
    decode(salt, "salt");
    decode(hmac, "hmac");
  }

  /** The digest of {@code key} with a fresh salt. */
  public static KeyDigest of(String uuid, String key, SecureRandom random) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return new KeyDigest(
        Base64.getEncoder().encodeToString(salt),
        Base64.getEncoder().encodeToString(hmac(salt, key)),
        fingerprint(uuid, key));
  }

  /** Whether {@code key} is the key this digest was made of; compares in constant time. */
  public boolean matches(String key) {
    return MessageDigest.isEqual(decode(hmac, "hmac"), hmac(decode(salt, "salt"), key));
  }

  /** The fingerprint of {@code uuid:key}: the first 16 hex digits of its SHA-256. */
  public static String fingerprint(String uuid, String key) {
    return HexFormat.of()
        .formatHex(sha256((uuid + ":" + key).getBytes(StandardCharsets.UTF_8)))
        .substring(0, 16);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static byte[] hmac(byte[] salt, String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(salt, "HmacSHA256"));
      return mac.doFinal(key.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  }

  private static byte[] decode(String base64, String what) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key digest " + what + " must be base64", e);
    }
  }
}
