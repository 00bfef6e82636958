package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.core.harvest.Intent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile pass saw and did.
 *
 * @param at when Slurm was observed (or the pass ran, when it could not be)
 * @param failure why the pass could not read Slurm, if it could not
 * @param harvestableNodes idle or planned nodes of the partition
 * @param boundedWindows of those, nodes with a bounded window
 * @param pendingPilots our pending pilots before the intents
 * @param runningPilots our running pilots before the intents
 * @param intents everything decided (the controller's own preemption cancels first, then the
 *     policy's)
 * @param executed how many intents were carried out (0 in a dry run)
 * @param errors failures while carrying them out
 */
public record PassReport(
    Instant at,
    Optional<String> failure,
    int harvestableNodes,
    int boundedWindows,
    int pendingPilots,
    int runningPilots,
    List<Intent> intents,
    int executed,
    List<String> errors) {

  public PassReport {
    intents = List.copyOf(intents);
    errors = List.copyOf(errors);
  }

  static PassReport failed(Instant at, String why) {
    return new PassReport(at, Optional.of(why), 0, 0, 0, 0, List.of(), 0, List.of());
  }

  /** One line for logs and dry runs. */
  public String summary() {
    return failure
        .map(f -> "Slurm unreachable: " + f)
        .orElseGet(
            () ->
                harvestableNodes
                    + " harvestable node(s), "
                    + boundedWindows
                    + " with a bounded window; pilots "
                    + pendingPilots
                    + " pending, "
                    + runningPilots
                    + " running; "
                    + intents.size()
                    + " intent(s), "
                    + executed
                    + " executed"
                    + (errors.isEmpty() ? "" : ", " + errors.size() + " error(s)"));
  }
}
