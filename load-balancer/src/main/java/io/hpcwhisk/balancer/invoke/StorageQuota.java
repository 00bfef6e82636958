package io.hpcwhisk.balancer.invoke;

import java.util.Optional;

/** Decides whether a namespace may store {@code incomingBytes} more; the reason when it may not. */
public interface StorageQuota {

  /** No quota. */
  StorageQuota NONE = (namespace, incomingBytes) -> Optional.empty();

  Optional<String> refusal(String namespace, long incomingBytes);
}
