package io.hpcwhisk.core.dispatch;

import java.util.Objects;

/**
 * What the dispatch rules need to know about one activation.
 *
 * @param id the activation id
 * @param namespace its namespace (null: unknown; then only pilots that serve every namespace take
 *     it)
 * @param versionKey the routing and warm-runtime key, {@code /ns/pkg/action@version}
 * @param kind the action's kind, e.g. {@code nodejs:20}
 * @param memoryMb the action's memory limit
 * @param timeoutMs the action's time limit
 * @param retrySafe whether it may run again after it may have started (annotation {@code
 *     retry-safe})
 * @param createdMs when the dispatcher took it, epoch ms
 */
public record Activation(
    String id,
    String namespace,
    String versionKey,
    String kind,
    int memoryMb,
    long timeoutMs,
    boolean retrySafe,
    long createdMs) {

  public Activation {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("activation id must not be blank");
    }
    Objects.requireNonNull(versionKey, "versionKey");
    Objects.requireNonNull(kind, "kind");
    if (memoryMb <= 0 || timeoutMs <= 0) {
      throw new IllegalArgumentException(
          "activation "
              + id
              + ": memory "
              + memoryMb
              + " MB and timeout "
              + timeoutMs
              + " ms must be positive");
    }
  }

  /** Its queue key: the namespace, "" when unknown. */
  public String queueKey() {
    return namespace == null ? "" : namespace;
  }
}
