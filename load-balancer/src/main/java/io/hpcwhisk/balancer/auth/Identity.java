package io.hpcwhisk.balancer.auth;

import io.hpcwhisk.balancer.entity.EntityPath;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An authenticated caller: the {@code subject}, the {@code namespace} it owns, the key {@code
 * uuid:key} it presented (never stored: {@code identities.json} keeps a {@link KeyDigest}), the
 * namespace's own limits (null: the server's defaults) and, for a call made with an activation's
 * key, its {@link Origin} (null for a user's own key).
 */
public record Identity(
    String subject,
    String namespace,
    String uuid,
    String key,
    NamespaceLimits limits,
    Origin origin) {

  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern KEY = Pattern.compile("[0-9A-Za-z]{64}");

  /**
   * OpenWhisk's well-known guest key, for the local mode only (public: it is in OpenWhisk's
   * sources).
   */
  public static final Identity GUEST =
      new Identity(
          "guest",
          "guest",
          "23bc46b1-71f6-4ed5-8c54-816aa4f8c502",
          "123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP");

  /** A user with the server's default limits. */
  public Identity(String subject, String namespace, String uuid, String key) {
    this(subject, namespace, uuid, key, null, null);
  }

  public Identity(
      String subject, String namespace, String uuid, String key, NamespaceLimits limits) {
    this(subject, namespace, uuid, key, limits, null);
  }

  public Identity {
    Objects.requireNonNull(subject, "subject");
    EntityPath.requireName(namespace, "namespace");
    requireUuid(uuid);
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("key must be 64 letters or digits");
    }
    limits = limits == null || limits.equals(NamespaceLimits.NONE) ? null : limits;
  }

  static void requireUuid(String uuid) {
    if (uuid == null || !UUID.matcher(uuid).matches()) {
      throw new IllegalArgumentException("uuid must be a UUID, got '" + uuid + "'");
    }
  }

  static boolean wellFormedKey(String key) {
    return key != null && KEY.matcher(key).matches();
  }

  public Identity withLimits(NamespaceLimits newLimits) {
    return new Identity(subject, namespace, uuid, key, newLimits, origin);
  }

  /** The key as clients give it: {@code uuid:key}. */
  public String authKey() {
    return uuid + ":" + key;
  }

  /**
   * The depth in a chain of activations of what this caller starts: 0 for a user's own key, one
   * more than the calling activation's depth for an activation's key.
   */
  public int chainDepth() {
    return origin == null ? 0 : origin.depth() + 1;
  }

  /** The activation whose key made this call (the {@code cause} of what it starts), or null. */
  public String cause() {
    return origin == null ? null : origin.activationId();
  }

  @Override
  public String toString() { // never the key: identities end up in log lines
    return "Identity["
        + subject
        + ", namespace "
        + namespace
        + ", uuid "
        + uuid
        + (origin == null ? "" : ", from activation " + origin.activationId())
        + "]";
  }
}
