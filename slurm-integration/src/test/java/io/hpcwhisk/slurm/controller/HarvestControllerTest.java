package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HarvestControllerTest {

  @Test
  void theLoopRunsPassesUntilClosed() {
    var registry = new SimpleMeterRegistry();
    FakeCluster cluster = new FakeCluster("n1");
    var d = HarvestConfig.defaults();
    var config =
        new HarvestConfig(
            d.slurm(),
            new HarvestConfig.Harvest(
                "var",
                Map.of("pending", "2"),
                Duration.ofMillis(100),
                false,
                50,
                true,
                d.harvest().pilotJob()));

    try (HarvestController controller =
        HarvestController.start(config, registry, cluster, cluster, cluster)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  registry.find("hpcwhisk.harvest.passes").tag("outcome", "ok").counter() != null
                      && registry
                              .find("hpcwhisk.harvest.passes")
                              .tag("outcome", "ok")
                              .counter()
                              .count()
                          >= 3);
      assertThat(controller.runOnce().pendingPilots()).isEqualTo(2);
    }
    assertThat(cluster.submitted).as("kept at the bound across passes").hasSize(2);
  }
}
