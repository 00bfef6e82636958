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
 * @param cores the cores it offers to activations that ask for cores (0: none counted)
 * @param freeCores those not reserved by activations in flight
 * @param gpus the GPUs it holds (0: a CPU-only pilot)
 * @param freeGpus those not reserved by activations in flight
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
    String onlyNamespace,
    int cores,
    int freeCores,
    int gpus,
    int freeGpus) {

  /** A pilot that offers no counted cores and no GPUs. */
  public PilotView(
      String id,
      Health health,
      boolean draining,
      int memoryMb,
      int freeMemoryMb,
      Set<String> kinds,
      Set<String> warmActions,
      Instant deadline,
      String onlyNamespace) {
    this(
        id,
        health,
        draining,
        memoryMb,
        freeMemoryMb,
        kinds,
        warmActions,
        deadline,
        onlyNamespace,
        0,
        0,
        0,
        0);
  }

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

  /** Whether it can ever hold what {@code request} asks for in cores and GPUs. */
  public boolean couldHold(RoutingRequest request) {
    return cores >= request.cores() && gpus >= request.gpus();
  }

  /** Whether its free cores and GPUs cover {@code request} now. */
  public boolean hasRoomFor(RoutingRequest request) {
    return freeCores >= request.cores() && freeGpus >= request.gpus();
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
    if (freeCores < 0 || freeCores > cores || freeGpus < 0 || freeGpus > gpus) {
      throw new IllegalArgumentException(
          "pilot "
              + id
              + ": free cores "
              + freeCores
              + " and GPUs "
              + freeGpus
              + " must be within 0.."
              + cores
              + " and 0.."
              + gpus);
    }
    kinds = Set.copyOf(kinds);
    warmActions = Set.copyOf(warmActions);
    Objects.requireNonNull(deadline, "deadline");
  }
}
