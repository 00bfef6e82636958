package io.hpcwhisk.simulator.replay;

import io.hpcwhisk.simulator.availability.SampleWindow;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One replay to run.
 *
 * @param idleLog the HPC-Whisk idle-node log
 * @param window which samples to use
 * @param mode clairvoyant ladder or online policy
 * @param seed seed for every random choice (online placement, randomised policies)
 * @param outDir where to write the outputs, or {@code null} for none
 * @param plots whether to draw the PNG plots
 */
public record ReplayRequest(
    Path idleLog, SampleWindow window, ReplayMode mode, long seed, Path outDir, boolean plots) {

  public ReplayRequest {
    Objects.requireNonNull(idleLog, "idleLog");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(mode, "mode");
  }
}
