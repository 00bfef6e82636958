package io.hpcwhisk.core.dispatch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a pilot says about itself when it registers.
 *
 * @param pilotId its id ({@code slurm-<jobId>})
 * @param jobId its Slurm job
 * @param memoryMb the memory it offers for actions
 * @param kinds the action kinds it runs
 * @param warm its warm runtimes: version key to count
 * @param deadlineMs when its Slurm job ends, epoch ms
 * @param onlyNamespace the one namespace a single-tenant pilot serves; null: every namespace
 * @param minor its protocol minor, 1 or later (the shell refuses minor 0 at registration): it
 *     reports {@code started}, honours {@code cancel} and answers {@code ping}; kept for features
 *     of later minors
 * @param cores the cores it offers to actions that ask for cores ({@code limits.cpu}); 0: not
 *     counted (such actions are refused as too large)
 * @param gpus how many GPUs it holds (0: a CPU-only pilot)
 */
public record PilotSpec(
    String pilotId,
    String jobId,
    int memoryMb,
    List<String> kinds,
    Map<String, Integer> warm,
    long deadlineMs,
    String onlyNamespace,
    int minor,
    int cores,
    int gpus) {

  /** A pilot that offers no counted cores and no GPUs. */
  public PilotSpec(
      String pilotId,
      String jobId,
      int memoryMb,
      List<String> kinds,
      Map<String, Integer> warm,
      long deadlineMs,
      String onlyNamespace,
      int minor) {
    this(pilotId, jobId, memoryMb, kinds, warm, deadlineMs, onlyNamespace, minor, 0, 0);
  }

  public PilotSpec {
    if (pilotId == null || pilotId.isBlank()) {
      throw new IllegalArgumentException("pilot id must not be blank");
    }
    if (minor < 1) {
      throw new IllegalArgumentException(
          "protocol minor must be 1 or later (minor 0 is refused at registration),"
              + " got "
              + minor);
    }
    if (cores < 0 || gpus < 0) {
      throw new IllegalArgumentException(
          "pilot " + pilotId + ": cores " + cores + " and gpus " + gpus + " must not be negative");
    }
    kinds = List.copyOf(kinds);
    warm = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(warm, "warm")));
  }
}
