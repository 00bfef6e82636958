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
 * @param cores the cores it asks for ({@code limits.cpu}): counted on its pilot and pinned there; 0
 *     when the action does not ask (it is not counted and floats over the pilot's cores, as before)
 * @param gpus the GPUs it asks for (annotation {@code gpus}); 0 for none
 */
public record Activation(
    String id,
    String namespace,
    String versionKey,
    String kind,
    int memoryMb,
    long timeoutMs,
    boolean retrySafe,
    long createdMs,
    int cores,
    int gpus) {

  /** An activation that asks for no cores and no GPUs. */
  public Activation(
      String id,
      String namespace,
      String versionKey,
      String kind,
      int memoryMb,
      long timeoutMs,
      boolean retrySafe,
      long createdMs) {
    this(id, namespace, versionKey, kind, memoryMb, timeoutMs, retrySafe, createdMs, 0, 0);
  }

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
    if (cores < 0 || gpus < 0) {
      throw new IllegalArgumentException(
          "activation " + id + ": cores " + cores + " and gpus " + gpus + " must not be negative");
    }
  }

  /** Its queue key: the namespace, "" when unknown. */
  public String queueKey() {
    return namespace == null ? "" : namespace;
  }
}
