package io.hpcwhisk.balancer.auth;

import io.hpcwhisk.balancer.entity.EntityPath;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A user: the {@code subject}, the {@code namespace} it owns and its key {@code uuid:key}.
 */
public record Identity(String subject, String namespace, String uuid, String key) {

  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern KEY = Pattern.compile("[0-9A-Za-z]{64}");

  /** OpenWhisk's well-known guest key, for the local mode only. */
  public static final Identity GUEST =
      new Identity("guest", "guest", "23bc46b1-71f6-4ed5-8c54-816aa4f8c502",
          "123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP");

  public Identity {
    Objects.requireNonNull(subject, "subject");
    EntityPath.requireName(namespace, "namespace");
    if (uuid == null || !UUID.matcher(uuid).matches()) {
      throw new IllegalArgumentException("uuid must be a UUID, got '" + uuid + "'");
    }
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("key must be 64 letters or digits");
    }
  }

  /** The key as clients give it: {@code uuid:key}. */
  public String authKey() {
    return uuid + ":" + key;
  }
}
