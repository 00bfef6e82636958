package io.hpcwhisk.core.routing;

import io.hpcwhisk.core.health.Health;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One pilot as the router sees it.
 *
 * @param id the pilot's identity (its Slurm job id, for instance)
 * @param health its health state; only {@link Health#HEALTHY} pilots take work
 * @param draining whether it announced that it is draining (it accepts nothing new)
 * @param memoryMb the memory it offers for actions in total
 * @param freeMemoryMb the memory not reserved by activations in flight
 * @param kinds the action kinds it can run, e.g. {@code nodejs:20}
 * @param warmActions the actions (fully qualified name with version) it holds a warm runtime for
 * @param deadline when its Slurm job ends
 * @param onlyNamespace the one namespace a single-tenant (unsandboxed) pilot serves; null: every
 *     namespace
 */
public record PilotView(
    String id,
    Health health,
    boolean draining,
    int memoryMb,
    int freeMemoryMb,
    Set<String> kinds,
    Set<String> warmActions,
    Instant deadline,
    String onlyNamespace) {

  /** A pilot that serves every namespace. */
  public PilotView(
      String id,
      Health health,
      boolean draining,
      int memoryMb,
      int freeMemoryMb,
      Set<String> kinds,
      Set<String> warmActions,
      Instant deadline) {
    this(id, health, draining, memoryMb, freeMemoryMb, kinds, warmActions, deadline, null);
  }

  /** Whether it may run an activation of {@code namespace}. */
  public boolean serves(String namespace) {
    return onlyNamespace == null || onlyNamespace.equals(namespace);
  }

  public PilotView {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("pilot id must not be blank");
    }
    Objects.requireNonNull(health, "health");
    if (memoryMb < 0 || freeMemoryMb < 0 || freeMemoryMb > memoryMb) {
      throw new IllegalArgumentException(
          "pilot "
              + id
              + ": free memory "
              + freeMemoryMb
              + " MB must be within 0.."
              + memoryMb
              + " MB");
    }
    kinds = Set.copyOf(kinds);
    warmActions = Set.copyOf(warmActions);
    Objects.requireNonNull(deadline, "deadline");
  }
}
