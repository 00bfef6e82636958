package io.hpcwhisk.balancer.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys issued to running activations ({@code __OW_API_KEY} of actions annotated {@code
 * provide-api-key}): each is a fresh random key under the caller's uuid, valid until the activation
 * ends, that authenticates as the caller with an {@link Origin} naming the activation and its chain
 * depth. So a call an action makes with its key carries its cause (the server never needs the
 * user's own key to hand one to an action, and a key leaked from a runtime dies with its
 * activation).
 *
 * <p>Held in memory only, by the SHA-256 of {@code uuid:key}, so a lookup's timing says nothing
 * about the key; after a restart the keys of activations still running are gone (calls with them
 * get 401).
 */
public final class ActivationKeys {

  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final SecureRandom random;
  private final ConcurrentHashMap<String, Identity> byDigest = new ConcurrentHashMap<>();

  public ActivationKeys() {
    this(new SecureRandom());
  }

  ActivationKeys(SecureRandom random) {
    this.random = random;
  }

  /**
   * A key for activation {@code activationId} of {@code caller}, whose chain depth is {@code
   * depth}.
   */
  public Identity issue(Identity caller, String activationId, int depth) {
    Identity issued =
        new Identity(
            caller.subject(),
            caller.namespace(),
            caller.uuid(),
            randomKey(random),
            caller.limits(),
            new Origin(activationId, depth));
    byDigest.put(digest(issued.uuid(), issued.key()), issued);
    return issued;
  }

  /** Ends an issued key (its activation ended). */
  public void revoke(Identity issued) {
    byDigest.remove(digest(issued.uuid(), issued.key()));
  }

  /** How many keys are live (activations running with a key). */
  public int live() {
    return byDigest.size();
  }

  Optional<Identity> find(String uuid, String key) {
    Identity found = byDigest.get(digest(uuid, key));
    if (found == null
        || !MessageDigest.isEqual(
            found.key().getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    return Optional.of(found);
  }

  private static String digest(String uuid, String key) {
    return HexFormat.of()
        .formatHex(KeyDigest.sha256((uuid + ":" + key).getBytes(StandardCharsets.UTF_8)));
  }

  /** 64 random letters and digits (about 381 bits). */
  static String randomKey(SecureRandom random) {
    char[] key = new char[64];
    for (int i = 0; i < key.length; i++) {
      key[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(key);
  }
}
