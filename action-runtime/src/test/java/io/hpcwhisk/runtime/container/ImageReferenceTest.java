package io.hpcwhisk.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which image names a container action may ask for, and the podman command built from one. */
class ImageReferenceTest {

  @Test
  void localNamesAreAccepted() {
    for (String name :
        List.of(
            "python",
            "hpcwhisk/python-action:1",
            "localhost/tools:2024.1",
            "openwhisk/dockerskeleton:1.3.2",
            "a/b/c_d-e.f:Tag_1")) {
      assertThat(ImageReference.check(name)).as(name).isEmpty();
    }
  }

  @Test
  void optionsShellSyntaxDigestsAndRegistriesAreRefusedWithTheReason() {
    Map<String, String> refused =
        Map.ofEntries(
            Map.entry("--privileged", "must not start with '-'"),
            Map.entry("-v=/:/host", "must not start with '-'"),
            Map.entry("alpine;id", "lower-case letters"),
            Map.entry("alpine --privileged", "lower-case letters"),
            Map.entry("$(id)", "lower-case letters"),
            Map.entry("alpine\nid", "lower-case letters"),
            Map.entry("Alpine", "lower-case letters"),
            Map.entry("x@sha256:00", "lower-case letters"),
            Map.entry("docker.io/library/python:3", "registry 'docker.io'"),
            Map.entry("quay.io/x/y", "registry 'quay.io'"),
            Map.entry("localhost:5000/x", "registry 'localhost:5000'"),
            Map.entry("registry.example.org:5000/x", "never pulled"),
            Map.entry("", "empty"),
            Map.entry("a".repeat(256), "longer than 255"));
    refused.forEach(
        (name, why) ->
            assertThat(ImageReference.check(name)).as(name).get().asString().contains(why));
  }

  @Test
  void theRunCommandHoldsTheSandboxAndTheImageComesLastAfterDoubleDash() {
    ContainerRun run =
        new ContainerRun(
            "hpcw-1-1",
            "localhost/x:1",
            Path.of("/tmp/ctr-1/pid"),
            "none",
            128,
            65534,
            Map.of(ContainerSettings.JOB_LABEL, "42"));

    List<String> argv = new Podman("podman").runCommand(run);

    assertThat(argv)
        .contains(
            "--pull=never",
            "--cap-drop=all",
            "--security-opt=no-new-privileges",
            "--read-only",
            "--user=65534:65534",
            "--memory=128m",
            "--memory-swap=128m",
            "--network=none",
            "--pidfile=/tmp/ctr-1/pid",
            "--label=io.hpcwhisk.job=42");
    assertThat(argv)
        .as("no port of the container is published on the node")
        .noneMatch(
            a -> a.startsWith("--publish") || a.startsWith("-p") || a.startsWith("--net=host"));
    assertThat(
            new Podman("podman")
                .runCommand(
                    new ContainerRun(
                        "hpcw-1-2", "localhost/x:1", run.pidFile(), "outbound", 128, 65534, null)))
        .contains("--network=slirp4netns:allow_host_loopback=false")
        .noneMatch(a -> a.startsWith("--publish"));
    assertThat(argv.subList(argv.size() - 2, argv.size())).containsExactly("--", "localhost/x:1");
    assertThat(argv).noneMatch(a -> a.startsWith("--privileged") || a.startsWith("--volume"));
  }

  @Test
  void aContainerRunRefusesRootAndBadNames() {
    Path pid = Path.of("/tmp/ctr-1/pid");
    assertThatThrownBy(() -> new ContainerRun("x", "alpine", pid, "none", 64, 0, Map.of()))
        .hasMessageContaining("not root");
    assertThatThrownBy(() -> new ContainerRun("x", "--privileged", pid, "none", 64, 1, Map.of()))
        .hasMessageContaining("'-'");
    assertThatThrownBy(() -> new ContainerRun("-x", "alpine", pid, "none", 64, 1, Map.of()))
        .hasMessageContaining("bad container name");
    assertThatThrownBy(() -> new ContainerRun("x", "alpine", pid, "host", 64, 1, Map.of()))
        .hasMessage("network \"host\" is not one of: none, outbound");
    assertThatThrownBy(() -> new ContainerSettings("podman", null, "1", "bridge"))
        .hasMessage("container network \"bridge\" is not one of: none, outbound");
  }
}
