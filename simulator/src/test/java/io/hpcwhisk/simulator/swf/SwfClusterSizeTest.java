package io.hpcwhisk.simulator.swf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwfClusterSizeTest {

  static final String JOBS =
      "1 0 10 100 4 -1 -1 4 200 -1 1 1 1 -1 -1 1 -1 -1\n"
          + "2 5 0 50 -1 -1 -1 13 60 -1 0 1 1 -1 -1 1 -1 -1 batch {n1,n2}\n";

  @TempDir Path dir;

  SwfClusterSize size(Path trace, int perNode) {
    return SwfClusterSize.of(trace, SwfReader.readHeader(trace), perNode);
  }

  @Test
  void theHeaderComesFirst() throws IOException {
    Path trace = Files.writeString(dir.resolve("a.swf"), "; MaxNodes: 10\n; MaxProcs: 40\n" + JOBS);
    Files.writeString(dir.resolve("a.machines"), "m1\nm2\n");
    assertThat(size(trace, 4)).isEqualTo(new SwfClusterSize(10, "header MaxProcs 40"));
    Path nodesOnly = Files.writeString(dir.resolve("b.swf"), "; MaxNodes: 7\n" + JOBS);
    assertThat(size(nodesOnly, 1)).isEqualTo(new SwfClusterSize(7, "header MaxNodes 7"));
  }

  @Test
  void withoutHeaderKeysAMachinesFileBesideTheTraceGivesTheCount() throws IOException {
    Path trace = Files.writeString(dir.resolve("site.swf"), "; Version: 2.2\n" + JOBS);
    Path machines =
        Files.writeString(dir.resolve("site.machines"), "# name procs\nm1 4\n\nm2 4\n; x\nm3 4\n");
    assertThat(size(trace, 4)).isEqualTo(new SwfClusterSize(3, "machines file " + machines));
    Path gz = dir.resolve("site.swf.gz");
    assertThat(SwfClusterSize.machinesFile(gz)).isEqualTo(machines);
  }

  @Test
  void withNeitherTheTracesLargestJobGivesTheCountAndSaysSo() throws IOException {
    Path trace = Files.writeString(dir.resolve("bare.swf"), JOBS);
    SwfClusterSize size = size(trace, 4);
    assertThat(size.nodes()).isEqualTo(4); // 13 requested processors at 4 per node
    assertThat(size.source())
        .startsWith(
            "the trace's largest job (13 processors; no MaxNodes/MaxProcs header and "
                + "no bare.machines)");
  }

  @Test
  void anEmptyMachinesFileIsRefusedWithItsName() throws IOException {
    Path trace = Files.writeString(dir.resolve("e.swf"), JOBS);
    Path machines = Files.writeString(dir.resolve("e.machines"), "# nothing\n");
    assertThatThrownBy(() -> size(trace, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(machines + ": expected one machine per line, found no machine; give --nodes");
  }
}
