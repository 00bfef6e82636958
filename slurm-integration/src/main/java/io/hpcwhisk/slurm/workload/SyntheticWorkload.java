package io.hpcwhisk.slurm.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * A seeded batch workload that keeps a small cluster busy and makes backfill windows: jobs of 1 to
 * N nodes (wide ones reserve nodes ahead of time), runtimes of 20 to 150 s, time limits
 * over-estimated by up to 80 % (rounded up to whole minutes, as users do), exponential
 * inter-arrival times.
 *
 * @param jobs the jobs, by submission offset
 */
public record SyntheticWorkload(List<BatchJob> jobs) {

  /**
   * One batch job.
   *
   * @param offset when it is submitted, from the start of the run
   * @param nodes how many whole nodes it asks for
   * @param runtime how long it really runs
   * @param limit its time limit (whole minutes)
   */
  public record BatchJob(Duration offset, int nodes, Duration runtime, Duration limit) {}

  public SyntheticWorkload {
    jobs = List.copyOf(jobs);
  }

  /**
   * Jobs arriving over {@code span} on a cluster of {@code clusterNodes}, mean inter-arrival {@code
   * meanGap}.
   */
  public static SyntheticWorkload generate(
      long seed, Duration span, int clusterNodes, Duration meanGap) {
    RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    List<BatchJob> jobs = new ArrayList<>();
    double t = 0;
    while (true) {
      t += -Math.log(1 - random.nextDouble()) * meanGap.toMillis() / 1000.0;
      if (t >= span.toSeconds()) {
        break;
      }
      double u = random.nextDouble();
      int nodes =
          u < 0.35
              ? 1
              : u < 0.60
                  ? Math.min(2, clusterNodes)
                  : u < 0.75 ? Math.min(3, clusterNodes) : clusterNodes;
      long runtime = 20 + random.nextInt(131);
      long limitMinutes =
          Math.max(1, (long) Math.ceil(runtime * (1 + 0.8 * random.nextDouble()) / 60.0));
      jobs.add(
          new BatchJob(
              Duration.ofMillis((long) (t * 1000)),
              nodes,
              Duration.ofSeconds(runtime),
              Duration.ofMinutes(limitMinutes)));
    }
    return new SyntheticWorkload(jobs);
  }

  /** Node-seconds of work in the workload. */
  public long nodeSeconds() {
    return jobs.stream().mapToLong(j -> j.nodes() * j.runtime().toSeconds()).sum();
  }
}
