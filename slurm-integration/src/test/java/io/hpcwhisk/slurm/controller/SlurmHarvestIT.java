package io.hpcwhisk.slurm.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmCliClusterView;
import io.hpcwhisk.slurm.cli.SlurmJson;
import io.hpcwhisk.testkit.PilotJobs;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The harvest controller against a real local Slurm (4 nodes, GraceTime 10 s): windows from a real
 * PLANNED reservation, each policy's pilots backfilled into them and fitting, pilots preempted by a
 * batch job and counted as preempted, and the non-invasive check (every node held by a pilot, a
 * batch job still starts well within the grace time: the pilots run as job steps, which Slurm
 * signals at once, and leave).
 */
@SlurmTest
class SlurmHarvestIT {

  private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

  static HarvestConfig config(SlurmEnv slurm, String policy, Map<String, String> params) {
    var slurmSection =
        new HarvestConfig.Slurm(
            slurm.binDir(),
            Optional.of(slurm.conf()),
            Duration.ofSeconds(20),
            "whisk",
            Optional.empty(),
            Optional.empty());
    var pilotJob =
        new HarvestConfig.PilotJob(
            "hpcw-pilot",
            Path.of("config/pilot-sleep-placeholder.sbatch"),
            slurm.dir().resolve("pilot-%j.out").toString(),
            Optional.empty(),
            List.of(),
            Map.of());
    return new HarvestConfig(
        slurmSection,
        new HarvestConfig.Harvest(
            policy,
            params,
            Duration.ofSeconds(1),
            false,
            50,
            false,
            pilotJob)); // no expediting: the pilot runs as a job step, which Slurm signals at once
  }

  static SlurmCli cli(SlurmEnv slurm) {
    return new SlurmCli(
        slurm.binDir(),
        Duration.ofSeconds(20),
        new ProcessCommandRunner(slurm.env()),
        SlurmCli.CallObserver.NONE);
  }

  static List<Job> jobs(SlurmEnv slurm) {
    return SlurmJson.jobs(cli(slurm).squeueJson());
  }

  static Job job(SlurmEnv slurm, String id) {
    return jobs(slurm).stream().filter(j -> j.id().toString().equals(id)).findFirst().orElseThrow();
  }

  static List<Job> pilots(SlurmEnv slurm, JobState state) {
    return jobs(slurm).stream()
        .filter(j -> j.name().startsWith("hpcw-pilot") && j.state() == state)
        .toList();
  }

  static double count(SimpleMeterRegistry registry, String name) {
    Counter c = registry.find(name).counter();
    return c == null ? 0 : c.count();
  }

  /** True when the pilot job's step runs and has set its SIGTERM trap (its output says so). */
  static boolean stepRuns(SlurmEnv slurm, Job pilot) {
    return PilotJobs.output(slurm, pilot.id().toString()).contains(": running");
  }

  /**
   * Pilots on the nodes, each with its step running (a step still starting would miss a
   * preemption's SIGTERM).
   */
  static List<Job> pilotsWithRunningSteps(SlurmEnv slurm, List<String> nodes) {
    List<Job> on =
        pilots(slurm, JobState.RUNNING).stream()
            .filter(j -> nodes.contains(j.nodes().get(0)))
            .toList();
    return on.size() == nodes.size() && on.stream().allMatch(j -> stepRuns(slurm, j))
        ? on
        : List.of();
  }

  /**
   * A 2-node batch job running for 3 minutes and a 4-node one waiting for it: n3, n4 PLANNED until
   * it ends.
   */
  static String openWindow(SlurmEnv slurm) {
    Duration scheduler = slurm.timing().scheduling();
    String running =
        slurm.sbatch(
            "-p",
            "batch",
            "-N",
            "2",
            "-w",
            "n1,n2",
            "--time=3",
            "-J",
            "it-running",
            "-o",
            "/dev/null",
            "--wrap",
            "sleep 600");
    await().atMost(scheduler).until(() -> job(slurm, running).state() == JobState.RUNNING);
    String wide =
        slurm.sbatch(
            "-p",
            "batch",
            "-N",
            "4",
            "--time=2",
            "-J",
            "it-wide",
            "-o",
            "/dev/null",
            "--wrap",
            "sleep 30");
    await().atMost(scheduler).until(() -> job(slurm, wide).startTime().isPresent());
    return wide;
  }

  @Test
  void windowsAreDetectedFromARealPlannedReservation(SlurmEnv slurm) {
    Duration scheduler = slurm.timing().scheduling();
    String wide = openWindow(slurm);
    var view = new SlurmCliClusterView(cli(slurm), InstantSource.system());
    var builder =
        new SnapshotBuilder(config(slurm, "adaptive", Map.of()).slurm().target(), "hpcw-pilot");

    await().atMost(scheduler).until(() -> builder.build(view.observe()).boundedWindowCount() == 2);
    ClusterSnapshot snapshot = builder.build(view.observe());
    Instant expected = job(slurm, wide).startTime().orElseThrow();

    System.out.println("[harvest-it] windows: " + snapshot.nodes());
    assertThat(snapshot.node("n1").orElseThrow().state()).isEqualTo(NodeState.ALLOCATED);
    for (String n : List.of("n3", "n4")) {
      var node = snapshot.node(n).orElseThrow();
      assertThat(node.state()).isEqualTo(NodeState.PLANNED);
      assertThat(node.window().orElseThrow().end()).contains(expected);
      assertThat(node.window().orElseThrow().length().orElseThrow())
          .isBetween(Duration.ofMinutes(2), Duration.ofMinutes(3));
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "adaptive | {}",
        "adaptive | {ladder-copies: '0'}",
        "fib      | {ladder: '1m,2m,4m,30m', pending-per-length: '1'}",
        "var      | {pending: '3', time: 30m, time-min: 1m}",
      })
  void pilotsBackfillIntoTheWindowFitItAndArePreempted(
      String policy, String paramsYaml, SlurmEnv slurm) {
    Duration scheduler = slurm.timing().scheduling();
    Map<String, String> params =
        HarvestConfig.parse("harvest: {policy: " + policy + ", params: " + paramsYaml + "}")
            .harvest()
            .params();
    String wide = openWindow(slurm);
    Instant windowEnd = job(slurm, wide).startTime().orElseThrow();
    var registry = new SimpleMeterRegistry();

    try (HarvestController controller =
        HarvestController.start(config(slurm, policy, params), registry, HOME)) {
      // Pilots start on both planned nodes, and every one of them ends before the planned batch job
      // starts.
      await()
          .atMost(scheduler)
          .until(
              () ->
                  pilots(slurm, JobState.RUNNING).stream()
                          .map(j -> j.nodes().get(0))
                          .distinct()
                          .count()
                      == 2);
      List<Job> running = pilots(slurm, JobState.RUNNING);
      System.out.println(
          "[harvest-it] "
              + policy
              + ": window until "
              + windowEnd
              + "; running pilots "
              + running.stream()
                  .map(
                      j ->
                          j.id()
                              + "@"
                              + j.nodes()
                              + " "
                              + j.timeLimit().orElseThrow()
                              + " until "
                              + j.endTime().orElseThrow())
                  .toList());
      Instant plannedStart = job(slurm, wide).startTime().orElseThrow();
      for (Job pilot : running) {
        assertThat(pilot.nodes()).containsAnyOf("n3", "n4");
        assertThat(pilot.endTime().orElseThrow()).isBeforeOrEqualTo(plannedStart);
      }
      if (policy.equals("adaptive")) {
        if (paramsYaml.contains("ladder-copies: '0'")) {
          // without the ladder, only targeted pilots fit a planned window (pool pilots are 2h)
          assertThat(running)
              .allMatch(j -> j.requiredNodes().equals(j.nodes()), "targeted at their node");
        }
        // none of its targeted pilots is left pending
        await()
            .atMost(scheduler)
            .until(
                () ->
                    pilots(slurm, JobState.PENDING).stream()
                        .noneMatch(j -> !j.requiredNodes().isEmpty()));
      }

      // A batch job needs n3: the pilot there is preempted, counted, and the batch job starts
      // promptly.
      List<Job> onN3 =
          await()
              .atMost(scheduler)
              .until(() -> pilotsWithRunningSteps(slurm, List.of("n3")), l -> !l.isEmpty());
      String pilot = onN3.get(0).id().toString();
      String urgent =
          slurm.sbatch(
              "-p",
              "batch",
              "-N",
              "1",
              "-w",
              "n3",
              "--time=1",
              "-J",
              "it-urgent",
              "-o",
              "/dev/null",
              "--wrap",
              "sleep 20");
      await()
          .atMost(scheduler.plus(slurm.timing().preemptionEnd(slurm.graceSeconds())))
          .until(() -> job(slurm, urgent).state() == JobState.RUNNING);
      String seen = PilotJobs.output(slurm, pilot) + slurm.describe(pilot, urgent);
      assertThat(slurm.endedWithinGraceWhenPreempted(pilot))
          .as("the pilot left within the grace time, not killed at its end (PREEMPTED); %s", seen)
          .isTrue();
      long waited = slurm.handOverSeconds(pilot, urgent);
      System.out.printf(
          "[harvest-it] %s: batch job started %d s after the preemption started, %d s after"
              + " submission (grace %d s)%n",
          policy, waited, slurm.startDelaySeconds(urgent), slurm.graceSeconds());
      assertThat(waited)
          .as("the pilot left at once, not when the grace time ran out; %s", seen)
          .isLessThan(slurm.graceSeconds());
      await().atMost(scheduler).until(() -> count(registry, "hpcwhisk.harvest.preemptions") >= 1);
      assertThat(registry.get("hpcwhisk.harvest.node.seconds").counter().count()).isPositive();
    }
  }

  @Test
  void aBatchJobStartsWithinGraceWhenEveryNodeHoldsAPilot(SlurmEnv slurm) {
    Duration scheduler = slurm.timing().scheduling();
    var registry = new SimpleMeterRegistry();
    try (HarvestController controller =
        HarvestController.start(config(slurm, "adaptive", Map.of()), registry, HOME)) {
      List<Job> held =
          await()
              .atMost(scheduler)
              .until(() -> pilotsWithRunningSteps(slurm, slurm.nodes()), l -> !l.isEmpty());
      assertThat(slurm.run("sinfo", "-h", "-p", "batch", "-o", "%T %D").stdout())
          .contains("allocated 4");

      String batch =
          slurm.sbatch(
              "-p",
              "batch",
              "-N",
              String.valueOf(slurm.nodes().size()),
              "--time=1",
              "-J",
              "it-batch",
              "-o",
              "/dev/null",
              "--wrap",
              "sleep 5");
      await()
          .atMost(scheduler.plus(slurm.timing().preemptionEnd(slurm.graceSeconds())))
          .until(() -> job(slurm, batch).state() != JobState.PENDING);
      assertThat(job(slurm, batch).state())
          .isIn(JobState.RUNNING, JobState.COMPLETING, JobState.COMPLETED);
      long waited = 0;
      for (Job pilot : held) {
        String id = pilot.id().toString();
        String seen = PilotJobs.output(slurm, id) + slurm.describe(id, batch);
        assertThat(slurm.endedWithinGraceWhenPreempted(id))
            .as(
                "pilot %s left within the grace time, not killed at its end (PREEMPTED); %s",
                id, seen)
            .isTrue();
        waited = Math.max(waited, slurm.handOverSeconds(id, batch));
      }
      System.out.printf(
          "[harvest-it] 4-node batch job over 4 pilots started %d s after the preemption started,"
              + " %d s after submission (grace %d s)%n",
          waited, slurm.startDelaySeconds(batch), slurm.graceSeconds());
      assertThat(waited)
          .as("the pilots left at once, not when the grace time ran out")
          .isLessThan(slurm.graceSeconds());
      await().atMost(scheduler).until(() -> count(registry, "hpcwhisk.harvest.preemptions") >= 4);
    }
  }
}
