/**
 * Container engines for container actions ({@code exec.kind: blackbox} with {@code exec.image}):
 * {@link io.hpcwhisk.runtime.container.ContainerEngine} is what the runtimes need from an engine
 * (is an image in the node's store, the command that runs one container in the foreground, remove a
 * container, list the containers a pilot left behind); {@link io.hpcwhisk.runtime.container.Podman}
 * is the one engine shipped and tested. {@link io.hpcwhisk.runtime.container.ImageReference}
 * decides which image names an action may ask for (local store only: no registry host, no option or
 * shell syntax). Adding Apptainer/Singularity is one more implementation of the interface, chosen
 * in {@link io.hpcwhisk.runtime.container.ContainerSettings#engineInstance()}.
 */
package io.hpcwhisk.runtime.container;
