package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.harvest.LongActionDemand;
import io.hpcwhisk.core.harvest.PilotShape;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The live pass feeds the balancer's demand to the controller pass ({@link LongActionDemand}). */
class ReconcilePassDemandTest {

  private ReconcilePass pass(FakeCluster cluster) {
    return HarvestController.pass(
        ReconcilePassTest.config(
            "fib", Map.of("ladder", "2m,4m", "pending-per-length", "1"), false),
        new HarvestMetrics(new SimpleMeterRegistry(), "fib"),
        cluster,
        cluster,
        cluster);
  }

  @Test
  void aWaitingTwentyMinuteActionGetsATwentyOneMinutePilotAndNothingChangesWithoutIt() {
    FakeCluster plain = new FakeCluster("n1");
    pass(plain).run();
    assertThat(plain.submitted).extracting(PilotShape::time).doesNotContain(Duration.ofMinutes(21));

    FakeCluster cluster = new FakeCluster("n1");
    AtomicReference<LongActionDemand.Demand> demand =
        new AtomicReference<>(new LongActionDemand.Demand(Duration.ofMinutes(20)));
    ReconcilePass pass = pass(cluster).withDemand(demand::get);
    pass.run();
    assertThat(cluster.submitted).extracting(PilotShape::time).contains(Duration.ofMinutes(21));
    assertThat(cluster.submitted).hasSameSizeAs(plain.submitted);
    assertThat(cluster.submitted.stream().filter(s -> s.time().equals(Duration.ofMinutes(21))))
        .allMatch(s -> !s.targeted() && s.timeMin().isEmpty());
  }
}
