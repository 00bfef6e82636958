package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
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
}
