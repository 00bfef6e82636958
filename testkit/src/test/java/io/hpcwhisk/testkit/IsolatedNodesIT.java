package io.hpcwhisk.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.localcluster.CommandResult;
import io.hpcwhisk.localcluster.Commands;
import io.hpcwhisk.localcluster.LocalCluster;
import io.hpcwhisk.localcluster.LocalClusterSpec;
import io.hpcwhisk.localcluster.NodeNetwork;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local-cluster up --isolated-nodes} on the real Slurm: each node's jobs run in a network
 * namespace of their own with only the cluster's subnet (the host side is reachable, any other
 * address is not: no packet leaves), srun and squeue work from there, and {@code down} or a failed
 * {@code up} leaves no namespace, link or route.
 */
@Tag("slurm")
class IsolatedNodesIT {

  @TempDir Path dir;

  @Test
  void eachNodeHasItsOwnNetworkThatReachesOnlyTheClusterAndDownRemovesIt() throws Exception {
    Required.on(
        Commands.locate("ip").isPresent() && Commands.locate("nsenter").isPresent(),
        "ip and nsenter");
    LocalCluster cluster = new LocalCluster(dir.resolve("c"));
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    NodeNetwork network;
    try {
      cluster.up(
          new LocalClusterSpec(cluster.dir(), 2, 2, 1000, 10, OptionalInt.empty()),
          false,
          out,
          true);
      network = cluster.network().orElseThrow();
      assertThat(cluster.usage(cluster.recordedSpec().orElseThrow()))
          .contains("Isolated nodes on " + network.subnet());
      String hostNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
      try (ServerSocket host =
          new ServerSocket(0, 10, InetAddress.getByName(network.hostAddress()))) {
        CompletableFuture<Integer> accepted =
            CompletableFuture.supplyAsync(
                () -> {
                  int n = 0;
                  try {
                    while (n < 2) {
                      try (Socket s = host.accept()) {
                        n++;
                      }
                    }
                  } catch (IOException e) {
                    // closed
                  }
                  return n;
                });
        String[] namespaces = new String[2];
        for (int k = 1; k <= 2; k++) {
          Path output = dir.resolve("job-n" + k + ".out");
          String script =
              "#!/bin/bash\n"
                  + "srun --ntasks=1 bash -c 'echo ns=$(readlink /proc/self/ns/net); ip -4 -o addr"
                  + " show dev eth0 | awk \"{print \\\"addr=\\\" \\$4}\"; squeue -h -j"
                  + " $SLURM_JOB_ID -o state=%T; (echo hi > /dev/tcp/"
                  + network.hostAddress()
                  + "/"
                  + host.getLocalPort()
                  + ") && echo host=reached; (timeout 3 bash -c \"echo > /dev/tcp/203.0.113.7/80\")"
                  + " 2>&1 | grep -q unreachable && echo other=unreachable'\n";
          Path file = dir.resolve("job-n" + k + ".sh");
          Files.writeString(file, script);
          CommandResult submitted =
              cluster.run(
                  List.of(
                      "sbatch",
                      "--parsable",
                      "-p",
                      "batch",
                      "-w",
                      "n" + k,
                      "-o",
                      output.toString(),
                      file.toString()));
          assertThat(submitted.ok()).as(submitted.stderr()).isTrue();
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> Files.exists(output) && Files.readString(output).contains("other="));
          String text = Files.readString(output);
          assertThat(text)
              .contains(
                  "addr=" + network.nodeAddress(k) + "/24",
                  "state=RUNNING",
                  "host=reached",
                  "other=unreachable");
          namespaces[k - 1] =
              text.lines().filter(l -> l.startsWith("ns=")).findFirst().orElseThrow();
          assertThat(namespaces[k - 1]).isNotEqualTo("ns=" + hostNs);
        }
        assertThat(namespaces[0]).isNotEqualTo(namespaces[1]);
        assertThat(accepted.get(30, TimeUnit.SECONDS)).isEqualTo(2);
      }
    } finally {
      cluster.down(out);
    }
    assertThat(network.leftovers()).isEmpty();
    assertThat(cluster.network()).isEmpty();
    String links =
        Commands.run(List.of("ip", "-o", "link"), Map.of(), Duration.ofSeconds(10)).stdout();
    assertThat(links).doesNotContain(network.bridge());
    assertThat(
            Commands.run(List.of("ip", "netns", "list"), Map.of(), Duration.ofSeconds(10)).stdout())
        .doesNotContain(network.namespace(1))
        .doesNotContain(network.namespace(2));
  }

  @Test
  void aFailedUpLeavesNoNamespaceLinkOrRoute() throws Exception {
    Required.on(
        Commands.locate("ip").isPresent() && Commands.locate("nsenter").isPresent(),
        "ip and nsenter");
    LocalCluster cluster = new LocalCluster(dir.resolve("broken"));
    // slurm.conf cannot be written (a directory is in the way): the start fails after the network
    // was made
    Files.createDirectories(cluster.dir().resolve("slurm.conf"));
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                cluster.up(
                    new LocalClusterSpec(cluster.dir(), 2, 2, 1000, 10, OptionalInt.empty()),
                    false,
                    out,
                    true))
        .hasMessageContaining("slurm.conf");
    String printed = text.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("Isolated nodes: bridge")
        .contains("Start failed; stopping what was started.");
    String bridge = printed.replaceAll("(?s).*Isolated nodes: bridge (\\S+) .*", "$1");
    String subnet = printed.replaceAll("(?s).*Isolated nodes: bridge \\S+ (\\S+),.*", "$1");
    assertThat(cluster.network()).isEmpty();
    assertThat(Commands.run(List.of("ip", "-o", "link"), Map.of(), Duration.ofSeconds(10)).stdout())
        .doesNotContain(bridge);
    assertThat(
            Commands.run(List.of("ip", "-4", "route"), Map.of(), Duration.ofSeconds(10)).stdout())
        .doesNotContain(subnet);
    assertThat(
            Commands.run(List.of("ip", "netns", "list"), Map.of(), Duration.ofSeconds(10)).stdout())
        .doesNotContain(bridge.substring(0, 8) + "-n");
  }
}
