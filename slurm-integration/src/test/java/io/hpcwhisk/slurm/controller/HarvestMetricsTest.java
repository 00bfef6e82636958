package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HarvestMetricsTest {

  @Test
  void everySubmissionAndCancelKindIsExportedAtZeroBeforeTheFirstOne() {
    var registry = new SimpleMeterRegistry();
    new HarvestMetrics(registry, "adaptive");

    for (var meter : List.of("hpcwhisk.harvest.submissions", "hpcwhisk.harvest.cancels")) {
      List<String> kinds =
          meter.endsWith("submissions") ? ReasonKind.SUBMISSIONS : ReasonKind.CANCELS;
      assertThat(registry.find(meter).tag("policy", "adaptive").counters())
          .as(meter)
          .hasSize(kinds.size())
          .allSatisfy(c -> assertThat(c.count()).isZero())
          .extracting(c -> c.getId().getTag("kind"))
          .containsExactlyInAnyOrderElementsOf(kinds);
    }
  }

  @Test
  void skippedGarbageLinesAreExported() {
    var registry = new SimpleMeterRegistry();
    var count = new AtomicLong();
    new HarvestMetrics(registry, "adaptive").garbageLines(count, AtomicLong::get);
    count.addAndGet(6);
    assertThat(registry.get("hpcwhisk.slurm.garbage.lines").functionCounter().count())
        .isEqualTo(6.0);
  }
}
