package io.hpcwhisk.runtime.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a pilot runs container actions.
 *
 * @param engine {@code auto} (podman when it is installed and answers), {@code podman}, or {@code
 *     none} (container actions end in a developer error naming the reason)
 * @param images a directory of image archives ({@code podman save} output) the administrator
 *     provides, loaded on first use when the image is not in the node's store; null: the store only
 * @param owner the pilot's job id, put on every container as label {@code io.hpcwhisk.job}
 * @param network the containers' network: {@code none} (default: only loopback inside the
 *     container) or {@code outbound} (outgoing connections through slirp4netns; the node's loopback
 *     and nothing on the node connects in)
 */
public record ContainerSettings(String engine, Path images, String owner, String network) {

  /** Label with the pilot's process id: a leftover whose process is gone is removed. */
  public static final String PID_LABEL = "io.hpcwhisk.pilot-pid";

  /** Label with the pilot's job id, to find a job's containers ({@code podman ps -a --filter}). */
  public static final String JOB_LABEL = "io.hpcwhisk.job";

  /** The values of {@link #network()}. */
  public static final List<String> NETWORKS = List.of("none", "outbound");

  public ContainerSettings {
    engine = engine == null || engine.isBlank() ? "auto" : engine.strip().toLowerCase(Locale.ROOT);
    if (!engine.equals("auto") && !engine.equals("podman") && !engine.equals("none")) {
      throw new IllegalArgumentException(
          "container engine \"" + engine + "\" is not one of: auto, podman, none");
    }
    owner = owner == null || owner.isBlank() ? "none" : owner.replaceAll("[^A-Za-z0-9_.-]", "_");
    network =
        network == null || network.isBlank() ? "none" : network.strip().toLowerCase(Locale.ROOT);
    if (!NETWORKS.contains(network)) {
      throw new IllegalArgumentException(
          "container network \"" + network + "\" is not one of: " + String.join(", ", NETWORKS));
    }
  }

  /** Settings with no network for the containers ({@code none}). */
  public ContainerSettings(String engine, Path images, String owner) {
    this(engine, images, owner, "none");
  }

  /** Auto-detected podman, no image directory, owner {@code none}, no network. */
  public static ContainerSettings defaults() {
    return new ContainerSettings("auto", null, null, "none");
  }

  /** The engine to use, or empty when configured off ({@code none}). */
  public Optional<ContainerEngine> engineInstance() {
    return engine.equals("none") ? Optional.empty() : Optional.of(new Podman("podman"));
  }
}
