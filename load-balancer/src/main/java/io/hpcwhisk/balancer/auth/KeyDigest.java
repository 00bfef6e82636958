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
 * the {@code hmac} HMAC-SHA256(salt, key) and a short {@code fingerprint} that administrators and
 * users can compare without the key being shown.
 *
 * <p>Why a keyed hash and not a slow password KDF: keys are 64 random letters and digits made by
 * the server (about 381 bits), so nobody can guess one, fast hash or not; a slow KDF (PBKDF2,
 * bcrypt, Argon2) only slows guessing of low-entropy secrets, and at the API's thousands of calls a
 * second on two cores it would cost more CPU than everything else a call does. The salt keeps equal
 * keys from having equal digests; {@link IdentityStore} keeps the keys it has verified in memory,
 * so a key is hashed about once per user and server run.
 *
 * <p>The fingerprint is the first 16 hex digits of SHA-256 over {@code uuid:key}, as a user
 * computes it with {@code printf %s "$AUTH" | sha256sum | cut -c1-16}; 64 bits of a hash of a
 * 381-bit key tell nothing usable about the key.
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
