package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tiny schedules computed by hand (the derivations are in the comments of each row). */
class BatchSimulationTest {

  /**
   * Runs jobs written as {@code submit:nodes:run:requested} separated by spaces, and returns their
   * starts in order, as {@code A=0 B=100 ...} (letters by position).
   */
  static String starts(int nodes, Algorithm algorithm, String jobs) {
    List<JobSpec> specs = parse(jobs);
    Map<Long, Long> starts = new LinkedHashMap<>();
    SimulationListener listener =
        new SimulationListener() {
          @Override
          public void jobStarted(JobSpec job, long time, int[] ns) {
            starts.put(job.ordinal(), time);
          }
        };
    BatchSimulation sim =
        new BatchSimulation(SchedulerConfig.defaults(nodes, algorithm), null, null, 600, listener);
    sim.run(specs.iterator());
    List<String> out = new ArrayList<>();
    for (JobSpec spec : specs) {
      out.add((char) ('A' + spec.ordinal()) + "=" + starts.get(spec.ordinal()));
    }
    return String.join(" ", out);
  }

  static List<JobSpec> parse(String jobs) {
    List<JobSpec> specs = new ArrayList<>();
    for (String job : jobs.trim().split("\\s+")) {
      long[] v = Arrays.stream(job.split(":")).mapToLong(Long::parseLong).toArray();
      specs.add(new JobSpec(specs.size(), specs.size() + 1, v[0], v[2], v[3], (int) v[1], 10));
    }
    return specs;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        // A takes 3 of 4 nodes; B (4 nodes) waits for A's end at 100; C (1 node, ends at 52)
        // backfills at once;
        // D (1 node, 200 s) would hold a node past B's shadow and there are no extra nodes: after
        // B, at 200.
        "EASY backfills a short job before the head's shadow; 4; EASY; 0:3:100:100 1:4:100:100"
            + " 2:1:50:50 3:1:200:200; A=0 B=100 C=2 D=200",
        // B needs 2 nodes: shadow 100 with 1 + 3 = 4 nodes there, so 2 extra; C (1 node, 500 s)
        // fits in the extra.
        "EASY backfills a long job into the extra nodes; 4; EASY; 0:3:100:100 1:2:100:100"
            + " 2:1:500:500; A=0 B=100 C=2",
        // Slurm's main scheduler stops at B; C waits for the next backfill pass on the bf_interval
        // grid from the
        // first submit (0, 30, 60, …): t = 30, which plans B at 120 (100 rounded up to
        // bf_resolution) and lets C run
        // [30, 80). D (200 s) cannot end before 120: reserved at 240, but B starts when A really
        // ends (100) and D
        // right after B (200).
        "Slurm backfills on its bf_interval; 4; SLURM; 0:3:100:100 1:4:100:100 2:1:50:50"
            + " 3:1:200:200; A=0 B=100 C=30 D=200",
        // Jobs end at their run time but are planned with the requested time: A asks 1000 s and
        // runs 100; B (2
        // nodes) starts at 100. C (1 node, asks 500) backfills at once in EASY because B's shadow
        // is A's planned end.
        "planned by requested time, ended by run time; 2; EASY; 0:1:100:1000 1:2:10:10 2:1:50:500;"
            + " A=0 B=100 C=2",
        // FCFS without backfill opportunities: strictly in order.
        "FCFS order; 2; EASY; 0:2:10:10 0:2:10:10 0:2:10:10; A=0 B=10 C=20",
        "FCFS order under Slurm; 2; SLURM; 0:2:10:10 0:2:10:10 0:2:10:10; A=0 B=10 C=20"
      })
  void handComputedSchedules(
      String name, int nodes, Algorithm algorithm, String jobs, String expected) {
    assertThat(starts(nodes, algorithm, jobs)).isEqualTo(expected.trim());
  }

  @Test
  void completingNodesAreReusedOnlyAfterTheCompletingTime() {
    // A and B need both nodes; A ends at 10, its nodes complete until 12, so B starts at 12 (not
    // 10).
    List<JobSpec> specs = parse("0:2:10:60 0:2:10:60");
    Map<Long, Long> starts = new LinkedHashMap<>();
    SimulationListener listener =
        new SimulationListener() {
          @Override
          public void jobStarted(JobSpec job, long time, int[] ns) {
            starts.put(job.ordinal(), time);
          }
        };
    for (Algorithm algorithm : Algorithm.values()) {
      starts.clear();
      SchedulerConfig config = new SchedulerConfig(2, algorithm, 500, 86_400, 1, 1, 30, 30, 2);
      new BatchSimulation(config, null, null, 600, listener).run(specs.iterator());
      assertThat(starts).as(algorithm.name()).containsEntry(0L, 0L).containsEntry(1L, 12L);
    }
  }
}
