package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.ClusterAccessException;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.PilotShape;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReconcilePassTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  static HarvestConfig config(String policy, Map<String, String> params, boolean dryRun) {
    return config(policy, params, dryRun, 50);
  }

  static HarvestConfig config(
      String policy, Map<String, String> params, boolean dryRun, int maxSubmissions) {
    var d = HarvestConfig.defaults();
    return new HarvestConfig(
        d.slurm(),
        new HarvestConfig.Harvest(
            policy,
            params,
            Duration.ofSeconds(5),
            dryRun,
            maxSubmissions,
            true,
            d.harvest().pilotJob()));
  }

  ReconcilePass pass(
      FakeCluster cluster, String policy, Map<String, String> params, boolean dryRun) {
    return HarvestController.pass(
        config(policy, params, dryRun),
        new HarvestMetrics(registry, policy),
        cluster,
        cluster,
        cluster);
  }

  double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aPlannedWindowGetsATargetedPilotOnceAndTheIdleNodeAPoolPilot() {
    FakeCluster cluster = new FakeCluster("n1", "n2", "n3");
    cluster.nodes.put("n2", NodeState.ALLOCATED);
    cluster.nodes.put("n3", NodeState.PLANNED);
    cluster.addBatch(
        Job.pending(
            new JobId(1),
            "wide",
            "batch",
            List.of("n2", "n3"),
            cluster.now.plusSeconds(400),
            Duration.ofMinutes(10)));
    ReconcilePass pass =
        pass(
            cluster,
            "adaptive",
            Map.of("pool", "0", "pool-share", "0", "ladder-copies", "0"),
            false);

    PassReport first = pass.run();
    cluster.advance(Duration.ofSeconds(5));
    PassReport second = pass.run();

    assertThat(first.boundedWindows()).isEqualTo(1);
    assertThat(cluster.submitted).hasSize(2);
    assertThat(cluster.submitted.get(0).targetNode()).contains("n3");
    assertThat(cluster.submitted.get(0).time()).isEqualTo(Duration.ofMinutes(6));
    assertThat(cluster.submitted.get(1).targeted()).isFalse();
    assertThat(second.intents()).as("pilots pending already: nothing new").isEmpty();
    assertThat(counter("hpcwhisk.harvest.submissions", "policy", "adaptive", "kind", "targeted"))
        .isEqualTo(1);
    assertThat(registry.get("hpcwhisk.harvest.nodes.windows").gauge().value()).isEqualTo(1);
    assertThat(registry.get("hpcwhisk.harvest.pilots").tag("state", "pending").gauge().value())
        .isEqualTo(2);
  }

  @Test
  void aRestartedControllerAdoptsPilotsInsteadOfDuplicatingThem() {
    FakeCluster cluster = new FakeCluster("n1");
    pass(cluster, "var", Map.of("pending", "3"), false).run();
    assertThat(cluster.submitted).hasSize(3);

    PassReport afterRestart = pass(cluster, "var", Map.of("pending", "3"), false).run();

    assertThat(afterRestart.pendingPilots()).isEqualTo(3);
    assertThat(afterRestart.intents()).isEmpty();
    assertThat(cluster.submitted).hasSize(3);
  }

  @Test
  void aDryRunDecidesButChangesNothing() {
    FakeCluster cluster = new FakeCluster("n1");

    PassReport report =
        pass(cluster, "fib", Map.of("ladder", "2m,4m", "pending-per-length", "2"), true).run();

    assertThat(report.intents()).hasSize(4).allMatch(i -> i instanceof Intent.SubmitPilot);
    assertThat(report.executed()).isZero();
    assertThat(cluster.submitted).isEmpty();
  }

  @Test
  void itKeepsGoingThroughASlurmOutageAndSaysSo() {
    FakeCluster cluster = new FakeCluster("n1");
    ReconcilePass pass = pass(cluster, "var", Map.of("pending", "1"), false);
    cluster.down = true;

    PassReport failed = pass.run();
    cluster.advance(Duration.ofSeconds(5));
    pass.run();
    cluster.down = false;
    cluster.advance(Duration.ofSeconds(5));
    PassReport recovered = pass.run();

    assertThat(failed.failure())
        .hasValueSatisfying(f -> assertThat(f).contains("Unable to contact slurm controller"));
    assertThat(counter("hpcwhisk.harvest.passes", "outcome", "failed")).isEqualTo(2);
    assertThat(recovered.failure()).isEmpty();
    assertThat(recovered.executed()).isEqualTo(1);
    assertThat(registry.get("hpcwhisk.slurm.up").gauge().value()).isEqualTo(1);
  }

  @Test
  void aFailedSubmissionStopsThePassAndIsReported() {
    FakeCluster cluster =
        new FakeCluster("n1") {
          @Override
          public JobId submit(PilotShape shape) {
            throw new ClusterAccessException(
                "`sbatch --parsable …` failed (exit code 1): "
                    + "stderr: sbatch: error: invalid partition specified: whisk");
          }
        };

    PassReport report = pass(cluster, "var", Map.of("pending", "5"), false).run();

    assertThat(report.executed()).isZero();
    assertThat(report.errors()).singleElement().asString().contains("invalid partition specified");
  }

  @Test
  void preemptedPilotsAreCancelledAtOnceCountedAndTheirTimeHarvested() {
    FakeCluster cluster = new FakeCluster("n1");
    ReconcilePass pass = pass(cluster, "var", Map.of("pending", "1"), false);
    pass.run();
    JobId pilot = cluster.pendingPilots().get(0);
    cluster.start(pilot, "n1");
    cluster.advance(Duration.ofSeconds(60));
    pass.run();
    cluster.preempt(pilot, Duration.ofSeconds(10));
    cluster.advance(Duration.ofSeconds(2));

    PassReport expedite = pass.run();
    cluster.advance(Duration.ofSeconds(5));
    pass.run();

    assertThat(expedite.intents().get(0))
        .isEqualTo(
            new Intent.CancelPilot(
                pilot, Intent.Cause.PREEMPTING, expedite.intents().get(0).reason()));
    assertThat(expedite.intents().get(0).reason())
        .startsWith("controller: Slurm is preempting pilot " + pilot);
    assertThat(cluster.cancelled).containsExactly(pilot);
    assertThat(registry.get("hpcwhisk.harvest.preemptions").counter().count()).isEqualTo(1);
    assertThat(counter("hpcwhisk.harvest.pilots.ended", "how", "preempted")).isEqualTo(1);
    assertThat(registry.get("hpcwhisk.harvest.node.seconds").counter().count()).isEqualTo(62);
  }

  @Test
  void aPreemptedPilotsHandOverIsExported() {
    FakeCluster cluster = new FakeCluster("n1");
    ReconcilePass pass = pass(cluster, "var", Map.of("pending", "1"), false);
    assertThat(registry.get("hpcwhisk.harvest.handover").timer().count())
        .as("exported from the start")
        .isZero();
    pass.run();
    JobId pilot = cluster.pendingPilots().get(0);
    cluster.start(pilot, "n1");
    pass.run();
    cluster.preempt(pilot, Duration.ofSeconds(30));
    pass.run();
    cluster.advance(Duration.ofSeconds(3));
    cluster.end(
        pilot, JobState.PREEMPTED); // as SlurmJson reports a pilot that left within the grace time
    pass.run();

    var handOver = registry.get("hpcwhisk.harvest.handover").timer();
    assertThat(handOver.count()).isEqualTo(1);
    assertThat(handOver.totalTime(TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(counter("hpcwhisk.harvest.pilots.ended", "how", "preempted")).isEqualTo(1);
  }

  @Test
  void endsAreCountedByHow() {
    FakeCluster cluster = new FakeCluster("n1", "n2");
    ReconcilePass pass = pass(cluster, "var", Map.of("pending", "2"), false);
    pass.run();
    List<JobId> ids = cluster.pendingPilots();
    cluster.start(ids.get(0), "n1");
    cluster.start(ids.get(1), "n2");
    pass.run();
    cluster.advance(Duration.ofSeconds(30));
    cluster.end(ids.get(0), JobState.TIMEOUT);
    cluster.end(ids.get(1), JobState.PREEMPTED);
    pass.run();
    pass.run();

    assertThat(counter("hpcwhisk.harvest.pilots.ended", "how", "timed_out")).isEqualTo(1);
    assertThat(counter("hpcwhisk.harvest.pilots.ended", "how", "preempted")).isEqualTo(1);
    assertThat(registry.get("hpcwhisk.harvest.node.seconds").counter().count()).isEqualTo(60);
  }

  @Test
  void aPassSubmitsAtMostTheCapAndTheNextPassGoesOn() {
    FakeCluster cluster = new FakeCluster("n1");
    ReconcilePass pass =
        HarvestController.pass(
            config("var", Map.of("pending", "5"), false, 2),
            new HarvestMetrics(registry, "var"),
            cluster,
            cluster,
            cluster);

    PassReport first = pass.run();
    PassReport second = pass.run();

    assertThat(first.intents()).as("everything decided is reported").hasSize(5);
    assertThat(first.executed()).isEqualTo(2);
    assertThat(second.intents()).hasSize(3);
    assertThat(second.executed()).isEqualTo(2);
    assertThat(cluster.submitted).hasSize(4);
    assertThat(counter("hpcwhisk.harvest.submissions", "policy", "var", "kind", "untargeted"))
        .isEqualTo(4);
  }

  @Test
  void aPilotCancelledForPreemptionIsCancelledOnceAlthoughSlurmStillReportsIt() {
    FakeCluster cluster = new FakeCluster("n1");
    ReconcilePass pass = pass(cluster, "var", Map.of("pending", "1"), false);
    pass.run();
    JobId pilot = cluster.pendingPilots().get(0);
    cluster.start(pilot, "n1");
    pass.run();
    cluster.preempt(pilot, Duration.ofSeconds(30));
    cluster.ignoreCancels = true; // Slurm still reports it running with its end pulled in

    PassReport expedite = pass.run();
    PassReport next = pass.run();

    assertThat(expedite.intents())
        .first()
        .isInstanceOfSatisfying(
            Intent.CancelPilot.class,
            c -> assertThat(c.cause()).isEqualTo(Intent.Cause.PREEMPTING));
    assertThat(next.intents()).noneMatch(i -> i instanceof Intent.CancelPilot);
    assertThat(cluster.cancelled).containsExactly(pilot);
  }
}
