package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.PassPlan;
import io.hpcwhisk.core.harvest.PassRules;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.slurm.controller.HarvestController;
import io.hpcwhisk.slurm.controller.PassReport;
import io.hpcwhisk.slurm.controller.ReconcilePass;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The live controller's shell ({@code ReconcilePass}) and the batch simulator's ({@link
 * PilotHarvester}) call the same core {@code ControllerPass}: given, at every controller pass of a
 * simulated run, the observation a live controller would read from Slurm at that moment, the live
 * pass decides the same intents and carries out the same ones as the simulator's pass did, with a
 * cap on submissions that bites and expedite-preemption on. The policies learn from the sequence,
 * so both see the same one.
 */
class BatchShellAgreesWithLiveShellTest {

  static final PassRules RULES = new PassRules(true, 2);

  /** Hands the live pass the observation it is given; records what the live pass carries out. */
  static final class ReplayedSlurm implements ClusterView, PilotLauncher {
    ClusterObservation next;
    final List<Object> done = new ArrayList<>();
    long nextId = 1;

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
            PilotHarvester.HARVEST_PARTITION,
            Optional.empty(),
            Optional.empty());
    var job = d.harvest().pilotJob();
    var pilotJob =
        new HarvestConfig.PilotJob(
            PilotHarvester.PILOT_PREFIX,
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
            Duration.ofSeconds(15),
            false,
            RULES.maxSubmissions(),
            RULES.expeditePreemption(),
            pilotJob));
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
  void theLivePassDecidesAndCarriesOutWhatTheSimulatorsPassDid(String policy) {
    PilotHarvester harvester =
        new PilotHarvester(new SimHarvestConfig(policy, Map.of(), 15, 20), 0, RULES);
    harvester.verifySnapshots();
    ReplayedSlurm slurm = new ReplayedSlurm();
    ReconcilePass live =
        HarvestController.pass(
            liveConfig(policy),
            new SimpleMeterRegistry(),
            slurm,
            slurm,
            InstantSource.fixed(Instant.EPOCH));
    int[] counts = new int[4]; // passes, submissions carried out, cancels carried out, withheld
    harvester.observePasses(
        (observation, plan) -> {
          slurm.next = observation;
          slurm.done.clear();

          PassReport report = live.run();

          assertThat(report.intents())
              .as("%s at %s: decided", policy, observation.observedAt())
              .isEqualTo(plan.decided());
          assertThat(slurm.done)
              .as("%s at %s: carried out", policy, observation.observedAt())
              .isEqualTo(carriedOut(plan));
          counts[0]++;
          counts[1] += (int) slurm.done.stream().filter(d -> d instanceof PilotShape).count();
          counts[2] += (int) slurm.done.stream().filter(d -> d instanceof JobId).count();
          counts[3] += plan.withheld();
        });
    SplittableRandom random = new SplittableRandom(3);
    List<JobSpec> jobs = new ArrayList<>();
    long clock = 0;
    for (int i = 0; i < 60; i++) {
      clock += random.nextLong(0, 400);
      long run = random.nextLong(0, 3000);
      jobs.add(
          new JobSpec(
              i,
              i + 1,
              clock,
              run,
              Math.max(1, run + random.nextLong(0, 2000)),
              1 + random.nextInt(8),
              10));
    }

    new BatchSimulation(
            new SchedulerConfig(8, Algorithm.SLURM, 500, 86_400, 60, 30, 30, 10),
            harvester,
            null,
            600,
            null)
        .run(jobs.iterator());

    assertThat(counts[0]).as("passes compared").isGreaterThan(50);
    assertThat(counts[1]).as("submissions").isGreaterThan(10);
    assertThat(counts[3]).as("the cap bites").isPositive();
    if (policy.equals("adaptive")) {
      assertThat(counts[2]).as("cancels (targeted pilots whose window went)").isPositive();
    }
  }
}
