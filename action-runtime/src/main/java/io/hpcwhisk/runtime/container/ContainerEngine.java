package io.hpcwhisk.runtime.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the runtimes need from a container engine on the node. An implementation never pulls an
 * image, runs the container with no capabilities, no new privileges, a read-only root file system,
 * as {@link ContainerRun#uid()}, within {@link ContainerRun#memoryMb()}, in a network namespace of
 * its own ({@link ContainerRun#network()}) with no port published on the node, writes the
 * container's process id to {@link ContainerRun#pidFile()} (the {@link NetnsForwarder} reaches port
 * 8080 through it), with the given labels and nothing of the host's file system mounted.
 */
public interface ContainerEngine {

  /** The engine's name for messages, e.g. {@code podman}. */
  String name();

  /** Why the engine cannot be used on this node (not installed, does not answer), or empty. */
  Optional<String> problem();

  /** Whether {@code image} (checked by {@link ImageReference}) is in the node's image store. */
  boolean hasImage(String image);

  /**
   * Loads an image archive (e.g. {@code podman save} output) into the node's store; returns the
   * engine's output when it fails, empty on success.
   */
  Optional<String> load(Path archive);

  /**
   * The command that starts the container and stays in the foreground: its stdout and stderr are
   * the action's, it exits when the container ends.
   */
  List<String> runCommand(ContainerRun run);

  /** Kills and removes the container; no error when it is already gone. */
  void remove(String name);

  /** Whether the (stopped, not yet removed) container was killed for exceeding its memory. */
  boolean killedForMemory(String name);

  /** Names of the containers labelled with {@code label}, with that label's value. */
  Map<String, String> labelled(String label);
}
