package io.hpcwhisk.runtime.container;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * One container to start: what every engine must honour.
 *
 * @param name the container's name, unique on the node (the engine's handle for removal)
 * @param image a reference already checked by {@link ImageReference#check}
 * @param pidFile where the engine writes the container's first process id (its network namespace is
 *     entered through {@code /proc/PID/ns/net} by the {@link NetnsForwarder})
 * @param network {@code none} (only loopback inside: no network at all) or {@code outbound}
 *     (outgoing connections through a user-mode stack; nothing on the node can connect in)
 * @param memoryMb the memory limit (RAM and swap together); the engine kills the container above it
 * @param uid the uid and gid the action's processes run as inside the container (never 0)
 * @param labels labels that let a leftover be found ({@code io.hpcwhisk.pilot-pid}, job id)
 */
public record ContainerRun(
    String name,
    String image,
    Path pidFile,
    String network,
    int memoryMb,
    int uid,
    Map<String, String> labels) {

  public ContainerRun {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}")) {
      throw new IllegalArgumentException("bad container name " + name);
    }
    ImageReference.check(image)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    Objects.requireNonNull(pidFile, "pidFile");
    if (!ContainerSettings.NETWORKS.contains(network)) {
      throw new IllegalArgumentException(
          "network \""
              + network
              + "\" is not one of: "
              + String.join(", ", ContainerSettings.NETWORKS));
    }
    if (memoryMb < 16) {
      throw new IllegalArgumentException("memoryMb must be at least 16, got " + memoryMb);
    }
    if (uid <= 0) {
      throw new IllegalArgumentException("uid must be above 0 (not root), got " + uid);
    }
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    labels.forEach(
        (k, v) -> {
          if (!k.matches("[a-z0-9.-]{1,64}") || !v.matches("[A-Za-z0-9_.-]{0,128}")) {
            throw new IllegalArgumentException("bad label " + k + "=" + v);
          }
        });
  }
}
