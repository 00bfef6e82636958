package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.PassPlan;
import io.hpcwhisk.core.harvest.PassRules;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.simulator.online.OnlineReplay;
import io.hpcwhisk.simulator.replay.ReplayMode;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.slurm.controller.HarvestController;
import io.hpcwhisk.slurm.controller.PassReport;
import io.hpcwhisk.slurm.controller.ReconcilePass;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The live controller's shell ({@code ReconcilePass}) and the online simulator's shell ({@code
 * OnlineReplay}) call the same core {@code ControllerPass}: given the snapshot the simulator
 * decided from, as Slurm would report it, the live pass decides the same intents and carries out
 * the same ones, sample after sample (the policies learn from the sequence, so both must see the
 * same one), with a cap on submissions that bites and expedite-preemption on.
 */
class ControllerShellsAgreeTest {

  static final String PARTITION = "lowprio"; // the online replay's harvest partition
  static final String PREFIX = "hpcwhisk-pilot-"; // and its pilots' name prefix
  static final PassRules RULES = new PassRules(true, 3);

  /** Returns the observation it was given last; records what the live shell carries out. */
  static final class ReplayedSlurm implements ClusterView, PilotLauncher {
    ClusterObservation next;
    final List<Object> done = new ArrayList<>();
    long nextId = 1_000_000;

    @Override
    public ClusterObservation observe() {
      return next;
    }

    @Override
    public JobId submit(PilotShape shape) {
      done.add(shape);
      return new JobId(nextId++);
    }

    @Override
    public void cancel(JobId id) {
      done.add(id);
    }
  }

  static HarvestConfig liveConfig(String policy) {
    var d = HarvestConfig.defaults();
    var slurm =
        new HarvestConfig.Slurm(
            Optional.empty(),
            Optional.empty(),
            Duration.ofSeconds(15),
            PARTITION,
            Optional.empty(),
            Optional.empty());
    var job = d.harvest().pilotJob();
    var pilotJob =
        new HarvestConfig.PilotJob(
            PREFIX,
            job.script(),
            job.output(),
            job.signal(),
            job.extraOptions(),
            job.environment());
    return new HarvestConfig(
        slurm,
        new HarvestConfig.Harvest(
            policy,
            Map.of(),
            Duration.ofSeconds(10),
            false,
            RULES.maxSubmissions(),
            RULES.expeditePreemption(),
            pilotJob));
  }

  /**
   * The snapshot as {@code sinfo}/{@code squeue} would show it: node states and the active jobs.
   */
  static ClusterObservation asSlurmReportsIt(ClusterSnapshot snapshot) {
    List<NodeInfo> nodes =
        snapshot.nodes().stream()
            .map(n -> new NodeInfo(n.name(), n.state(), Set.of(PARTITION)))
            .toList();
    return new ClusterObservation(snapshot.now(), nodes, snapshot.jobs());
  }

  static List<Object> carriedOut(PassPlan plan) {
    return plan.toCarryOut().stream()
        .map(
            i ->
                i instanceof Intent.SubmitPilot s
                    ? (Object) s.shape()
                    : ((Intent.CancelPilot) i).jobId())
        .toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"fib", "var", "adaptive"})
  void theLiveAndTheSimulatedShellDecideAndCarryOutTheSameIntents(String policy) {
    ReplayMode.Online mode =
        new ReplayMode.Online(policy, Map.of(), 20, 30, ReplayMode.Placement.LOWEST_ID);
    OnlineReplay simulated = new OnlineReplay(mode, 1, RULES);
    ReplayedSlurm slurm = new ReplayedSlurm();
    ReconcilePass live =
        HarvestController.pass(
            liveConfig(policy),
            new SimpleMeterRegistry(),
            slurm,
            slurm,
            InstantSource.fixed(Instant.EPOCH));
    Random random = new Random(7);
    BitSet available = new BitSet();
    int submissions = 0;
    int withheld = 0;
    for (int sample = 0; sample < 120; sample++) {
      for (int node = 0; node < 12; node++) { // gaps open and close a few times a sample
        if (random.nextInt(8) == 0) {
          available.flip(node);
        }
      }
      simulated.onSample(sample, 1_647_471_600L + 10L * sample, available);
      ClusterSnapshot snapshot = simulated.lastSnapshot().orElseThrow();
      PassPlan plan = simulated.lastPlan().orElseThrow();
      slurm.next = asSlurmReportsIt(snapshot);
      slurm.done.clear();

      PassReport report = live.run();

      assertThat(report.intents())
          .as("%s, sample %d: decided", policy, sample)
          .isEqualTo(plan.decided());
      assertThat(slurm.done)
          .as("%s, sample %d: carried out", policy, sample)
          .isEqualTo(carriedOut(plan));
      submissions +=
          (int) plan.toCarryOut().stream().filter(i -> i instanceof Intent.SubmitPilot).count();
      withheld += plan.withheld();
    }
    assertThat(submissions).as("the scenario submits").isGreaterThan(10);
    assertThat(withheld).as("the cap bites").isPositive();
  }
}
