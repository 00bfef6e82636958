package io.hpcwhisk.balancer.auth;

import io.hpcwhisk.balancer.entity.EntityPath;
import java.util.Objects;

/**
 * A user as {@code identities.json} keeps it: subject, namespace, the key's uuid, a {@link
 * KeyDigest} of the key (never the key) and the namespace's own limits (null: the server's
 * defaults).
 */
public record StoredUser(
    String subject, String namespace, String uuid, KeyDigest keyDigest, NamespaceLimits limits) {

  public StoredUser {
    Objects.requireNonNull(subject, "subject");
    EntityPath.requireName(namespace, "namespace");
    Identity.requireUuid(uuid);
    Objects.requireNonNull(keyDigest, "keyDigest");
    limits = limits == null || limits.equals(NamespaceLimits.NONE) ? null : limits;
  }

  public StoredUser withLimits(NamespaceLimits newLimits) {
    return new StoredUser(subject, namespace, uuid, keyDigest, newLimits);
  }

  /** The caller this user is once it presented {@code key}. */
  Identity as(String key) {
    return new Identity(subject, namespace, uuid, key, limits, null);
  }

  /** The key's fingerprint (see {@link KeyDigest}). */
  public String fingerprint() {
    return keyDigest.fingerprint();
  }
}
