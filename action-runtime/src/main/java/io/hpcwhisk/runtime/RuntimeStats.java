package io.hpcwhisk.runtime;

import java.util.Map;

/**
 * A snapshot of the runtimes of one {@link ActionRuntimes}.
 *
 * @param alive runtime processes alive (busy + idle)
 * @param busy runtimes running an activation
 * @param memoryInUseMb memory reserved by alive and starting runtimes
 * @param memoryMb memory the runtimes may reserve together
 * @param coldStarts activations that started a runtime
 * @param warmStarts activations that reused a warm runtime
 * @param warmByVersion idle (warm) runtimes per action version key
 */
public record RuntimeStats(
    int alive,
    int busy,
    int memoryInUseMb,
    int memoryMb,
    long coldStarts,
    long warmStarts,
    Map<String, Integer> warmByVersion) {

  public RuntimeStats {
    warmByVersion = Map.copyOf(warmByVersion);
  }
}
