package io.hpcwhisk.balancer.auth;

import io.hpcwhisk.balancer.entity.EntityPath;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A user: the {@code subject}, the {@code namespace} it owns, its key {@code uuid:key} and the
 * namespace's own limits (null: the server's defaults).
 */
public record Identity(String subject, String namespace, String uuid, String key, NamespaceLimits limits) {

  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern KEY = Pattern.compile("[0-9A-Za-z]{64}");

  /** OpenWhisk's well-known guest key, for the local mode only. */
  public static final Identity GUEST =
      new Identity("guest", "guest", "23bc46b1-71f6-4ed5-8c54-816aa4f8c502",
          "123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP");

  /** A user with the server's default limits. */
  public Identity(String subject, String namespace, String uuid, String key) {
    this(subject, namespace, uuid, key, null);
  }

  public Identity {
    Objects.requireNonNull(subject, "subject");
    EntityPath.requireName(namespace, "namespace");
    if (uuid == null || !UUID.matcher(uuid).matches()) {
      throw new IllegalArgumentException("uuid must be a UUID, got '" + uuid + "'");
    }
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("key must be 64 letters or digits");
    }
    limits = limits == null || limits.equals(NamespaceLimits.NONE) ? null : limits;
  }

  public Identity withLimits(NamespaceLimits newLimits) {
    return new Identity(subject, namespace, uuid, key, newLimits);
  }

  /** The key as clients give it: {@code uuid:key}. */
  public String authKey() {
    return uuid + ":" + key;
  }
}
