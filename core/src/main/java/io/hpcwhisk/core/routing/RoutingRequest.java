package io.hpcwhisk.core.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * What the router needs to know about one activation.
 *
 * @param action the action's fully qualified name with version, e.g. {@code /guest/hello@0.0.1}; it
 *     is both the affinity key and what {@link PilotView#warmActions()} contains
 * @param kind the action's kind, e.g. {@code python:3}
 * @param memoryMb the action's memory limit
 * @param timeout the action's time limit: a pilot must have at least this much time left to be sure
 *     to finish it
 * @param namespace the namespace the activation runs in; only pilots that {@link PilotView#serves
 *     serve} it may get it (null: unknown, only pilots that serve every namespace)
 * @param cores the cores it asks for ({@code limits.cpu}); 0: not counted (the default)
 * @param gpus the GPUs it asks for; 0: none
 */
public record RoutingRequest(
    String action,
    String kind,
    int memoryMb,
    Duration timeout,
    String namespace,
    int cores,
    int gpus) {

  /** A request that asks for no counted cores and no GPUs. */
  public RoutingRequest(
      String action, String kind, int memoryMb, Duration timeout, String namespace) {
    this(action, kind, memoryMb, timeout, namespace, 0, 0);
  }

  /** A request whose namespace is not known: it goes only to pilots that serve every namespace. */
  public RoutingRequest(String action, String kind, int memoryMb, Duration timeout) {
    this(action, kind, memoryMb, timeout, null);
  }

  public RoutingRequest {
    if (action == null || action.isBlank()) {
      throw new IllegalArgumentException("action must not be blank");
    }
    Objects.requireNonNull(kind, "kind");
    if (memoryMb <= 0) {
      throw new IllegalArgumentException("memory " + memoryMb + " MB must be positive");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout " + timeout + " must be a positive duration");
    }
    if (cores < 0 || gpus < 0) {
      throw new IllegalArgumentException(
          "cores " + cores + " and gpus " + gpus + " must not be negative");
    }
  }
}
