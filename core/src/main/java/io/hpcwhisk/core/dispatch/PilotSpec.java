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
 * @param minor its protocol minor: from 1 on it reports {@code started}, honours {@code cancel} and answers
 *     {@code ping}; with 0 an acknowledgement counts as a start
 */
public record PilotSpec(String pilotId, String jobId, int memoryMb, List<String> kinds, Map<String, Integer> warm,
    long deadlineMs, String onlyNamespace, int minor) {

  public PilotSpec {
    if (pilotId == null || pilotId.isBlank()) {
      throw new IllegalArgumentException("pilot id must not be blank");
    }
    kinds = List.copyOf(kinds);
    warm = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(warm, "warm")));
  }
}
