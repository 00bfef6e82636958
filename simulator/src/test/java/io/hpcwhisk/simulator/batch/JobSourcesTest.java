package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSourcesTest {

  @TempDir Path dir;

  @Test
  void mapsProcessorsToNodesAndCountsAdjustments() throws IOException {
    Path file = dir.resolve("t.swf");
    Files.writeString(
        file,
        "; MaxNodes: 4\n; MaxProcs: 8\n"
            + "1 0 0 100 3 -1 -1 3 200 -1 1 1 1 -1 -1 1 -1 -1\n" // 3 procs -> 2 nodes
            + "2 10 0 300 2 -1 -1 2 200 -1 1 1 1 -1 -1 1 -1 -1\n" // run 300 > requested 200: cut
            + "3 5 0 50 2 -1 -1 2 -1 -1 1 1 1 -1 -1 1 -1 -1\n" // before the previous; no requested
            // time
            + "4 20 0 50 10 -1 -1 10 60 -1 1 1 1 -1 -1 1 -1 -1\n"); // 5 nodes > 4: skipped
    JobSources sources = new JobSources(4);
    List<JobSpec> jobs = new ArrayList<>();
    try (JobSources.Source source = sources.swf(file, 0)) {
      source.jobs().forEachRemaining(jobs::add);
      assertThat(source.unixOrigin()).isZero();
    }
    assertThat(jobs)
        .containsExactly(
            new JobSpec(0, 1, 0, 100, 200, 2, 10),
            new JobSpec(1, 2, 10, 200, 200, 1, 10),
            new JobSpec(2, 3, 10, 50, 50, 1, 10));
    assertThat(sources.adjustments())
        .containsEntry(JobSources.CUT_TO_LIMIT, 1L)
        .containsEntry(JobSources.OUT_OF_ORDER, 1L)
        .containsEntry(JobSources.NO_REQUESTED, 1L)
        .containsEntry(JobSources.TOO_LARGE, 1L);
  }

  @Test
  void syntheticTraceIsSeededOrderedAndFitsTheCluster() {
    List<JobSpec> a = new ArrayList<>();
    List<JobSpec> b = new ArrayList<>();
    new JobSources(100)
        .synthetic("synthetic:jobs=500,seed=9,maxnodes=16")
        .jobs()
        .forEachRemaining(a::add);
    new JobSources(100)
        .synthetic("synthetic:jobs=500,seed=9,maxnodes=16")
        .jobs()
        .forEachRemaining(b::add);
    assertThat(a).hasSize(500).isEqualTo(b);
    for (int i = 1; i < a.size(); i++) {
      assertThat(a.get(i).submit()).isGreaterThanOrEqualTo(a.get(i - 1).submit());
    }
    assertThat(a)
        .allSatisfy(
            j -> {
              assertThat(j.nodes()).isBetween(1, 16);
              assertThat(j.requestedTime()).isGreaterThanOrEqualTo(j.runTime());
            });
  }
}
