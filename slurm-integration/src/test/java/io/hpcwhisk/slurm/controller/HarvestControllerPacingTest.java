package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.core.cluster.ClusterAccessException;
import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The controller's loop: back-off while nothing changes, fast again on a change, no pile-up. */
class HarvestControllerPacingTest {

  /** A cluster of busy nodes (the policy never submits) whose state the test may flip. */
  static final class QuietCluster implements ClusterView, PilotLauncher {
    volatile NodeState state = NodeState.ALLOCATED;
    volatile long sleepMillis;
    volatile boolean down;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger mostInFlight = new AtomicInteger();
    final AtomicInteger observed = new AtomicInteger();

    @Override
    public ClusterObservation observe() {
      if (down) {
        throw new ClusterAccessException("`squeue --json --states=all` timed out after 15000 ms");
      }
      int now = inFlight.incrementAndGet();
      mostInFlight.accumulateAndGet(now, Math::max);
      try {
        if (sleepMillis > 0) {
          Thread.sleep(sleepMillis);
        }
        observed.incrementAndGet();
        return new ClusterObservation(
            Instant.now(), List.of(new NodeInfo("n1", state, Set.of("whisk"))), List.of());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public JobId submit(PilotShape shape) {
      throw new AssertionError("a dry run submits nothing");
    }

    @Override
    public void cancel(JobId id) {
      throw new AssertionError("no cancel expected");
    }
  }

  private static HarvestConfig config(Duration interval, Duration idle) {
    var d = HarvestConfig.defaults();
    return new HarvestConfig(
        d.slurm(),
        new HarvestConfig.Harvest(
            "var",
            Map.of("pending", "1"),
            interval,
            true, // dry run: the policy's pending pilot is decided every pass, never submitted
            50,
            false,
            d.harvest().pilotJob(),
            false,
            idle));
  }

  @Test
  void quietPassesBackOffToTheIdleIntervalAndAChangeOrAWakeBringsTheFastOneBack() {
    QuietCluster cluster = new QuietCluster();
    MeterRegistry registry = new SimpleMeterRegistry();
    try (HarvestController controller =
        HarvestController.start(
            config(Duration.ofMillis(100), Duration.ofSeconds(3)),
            registry,
            cluster,
            cluster,
            InstantSource.system())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> controller.currentDelay().equals(Duration.ofSeconds(3)));
      assertThat(registry.get("hpcwhisk.harvest.pass.delay").gauge().value()).isEqualTo(3.0);

      // a pilot event: the next pass comes well before the 3 s back-off would have let it
      int before = cluster.observed.get();
      controller.wake();
      await().atMost(Duration.ofMillis(2_500)).until(() -> cluster.observed.get() > before);

      // back off again, then change what Slurm says: the pass that sees it resets the delay
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> controller.currentDelay().compareTo(Duration.ofMillis(800)) >= 0);
      cluster.state = NodeState.MIXED;
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> controller.currentDelay().compareTo(Duration.ofMillis(200)) <= 0);
    }
  }

  @Test
  void aPassLongerThanTheIntervalSkipsAndCountsTheTicksItOverranAndPassesNeverOverlap() {
    QuietCluster cluster = new QuietCluster();
    cluster.sleepMillis = 450;
    MeterRegistry registry = new SimpleMeterRegistry();
    try (HarvestController controller =
        HarvestController.start(
            config(Duration.ofMillis(100), Duration.ofMillis(100)),
            registry,
            cluster,
            cluster,
            InstantSource.system())) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> registry.get("hpcwhisk.harvest.passes.skipped").counter().count() >= 8);
      // also runOnce from another thread does not overlap a scheduled pass
      controller.runOnce();
    }
    assertThat(cluster.mostInFlight.get()).isEqualTo(1);
    int passes = cluster.observed.get();
    double skipped = registry.get("hpcwhisk.harvest.passes.skipped").counter().count();
    // each 450 ms pass overran about four 100 ms ticks: skipped, not queued behind it
    assertThat(skipped).isGreaterThanOrEqualTo(3.0 * (passes - 2));
  }

  @Test
  void aSlurmThatDoesNotAnswerIsAskedLessOftenAndItsReturnCountsAsAChange() {
    QuietCluster cluster = new QuietCluster();
    ReconcilePass pass =
        HarvestController.pass(
            config(Duration.ofMillis(100), Duration.ofSeconds(3)),
            new SimpleMeterRegistry(),
            cluster,
            cluster,
            InstantSource.system());
    assertThat(pass.run().failure()).isEmpty();
    assertThat(pass.lastPassChanged()).as("the first pass").isTrue();
    pass.run();
    assertThat(pass.lastPassChanged()).as("the same answer").isFalse();
    cluster.down = true;
    assertThat(pass.run().failure()).isPresent();
    assertThat(pass.lastPassChanged()).as("a timed-out slurmctld: back off").isFalse();
    cluster.down = false;
    pass.run();
    assertThat(pass.lastPassChanged()).as("Slurm answers again").isTrue();
  }
}
