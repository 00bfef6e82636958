package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Validates the Slurm-style model against the real local Slurm (4 nodes, sched/backfill with
 * bf_interval=1, bf_resolution=1, select/linear): a seeded trace of 100 jobs (1–4 nodes, 1–3 s of
 * sleep, 1–3 minute limits, arriving 0–2 s apart, so times are scaled down from real traces by
 * ~1000× and the run stays under ~2.5 minutes; the offered load is above the cluster's, so a queue
 * builds up) is submitted with {@code --begin} set to each job's arrival, run to completion, and
 * read back with {@code scontrol}. The same jobs — with Slurm's own eligible times, run times and
 * limits — then go through the simulator with matching settings, and the mean absolute difference
 * of the start times is reported (and must stay small) for several COMPLETING times, from none to 2
 * s in steps of a quarter second (the model then counts milliseconds).
 */
@SlurmTest
class SlurmValidationIT {

  private static final int JOBS = 100;

  /** The COMPLETING times tried, in milliseconds. */
  private static final long[] COMPLETING_MS = {0, 250, 500, 750, 1000, 2000};

  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

  @Test
  void simulatedStartTimesMatchRealSlurm(SlurmEnv slurm) {
    SplittableRandom random = new SplittableRandom(42);
    LocalDateTime t0 = LocalDateTime.now().plusSeconds(15).withNano(0);
    DateTimeFormatter iso = DateTimeFormatter.ISO_LOCAL_DATE_TIME;
    List<String> ids = new ArrayList<>();
    long offset = 0;
    for (int i = 0; i < JOBS; i++) {
      offset += random.nextInt(0, 3);
      int nodes = random.nextBoolean() ? 1 : 2 + random.nextInt(3);
      int run = 1 + random.nextInt(3);
      int limit = 1 + random.nextInt(3);
      String out =
          slurm
              .run(
                  "sbatch",
                  "--parsable",
                  "-p",
                  "batch",
                  "-N",
                  Integer.toString(nodes),
                  "--time=" + limit,
                  "--begin=" + iso.format(t0.plusSeconds(offset)),
                  "-J",
                  "val-" + i,
                  "--output=/dev/null",
                  "--wrap",
                  "sleep " + run)
              .orThrow()
              .stdout()
              .strip();
      ids.add(out.split(";")[0]);
    }
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () ->
                slurm
                    .run("squeue", "-h", "-j", String.join(",", ids), "-o", "%i")
                    .stdout()
                    .isBlank());

    List<Map<String, String>> real = new ArrayList<>();
    for (String id : ids) {
      Map<String, String> fields = new HashMap<>();
      Matcher m = FIELD.matcher(slurm.run("scontrol", "-o", "show", "job", id).orThrow().stdout());
      while (m.find()) {
        fields.putIfAbsent(m.group(1), m.group(2));
      }
      real.add(fields);
    }
    long origin = real.stream().mapToLong(f -> epoch(f.get("EligibleTime"))).min().orElseThrow();
    List<JobSpec> specs = new ArrayList<>();
    long[] realStart = new long[JOBS];
    long[] eligible = new long[JOBS];
    for (int i = 0; i < JOBS; i++) {
      Map<String, String> f = real.get(i);
      assertThat(f.get("JobState")).as("job %s", ids.get(i)).isEqualTo("COMPLETED");
      long start = epoch(f.get("StartTime"));
      long end = epoch(f.get("EndTime"));
      long limit = minutes(f.get("TimeLimit")) * 60;
      specs.add(
          new JobSpec(
              i,
              i + 1,
              (epoch(f.get("EligibleTime")) - origin) * 1000,
              (end - start) * 1000,
              limit * 1000,
              Integer.parseInt(f.get("NumNodes")),
              10));
      realStart[i] = start - origin;
      eligible[i] = epoch(f.get("EligibleTime")) - origin;
    }
    specs.sort(Comparator.comparingLong(JobSpec::submit).thenComparingLong(JobSpec::ordinal));
    double best = Double.MAX_VALUE;
    for (long completing : COMPLETING_MS) {
      long[] simStart = new long[JOBS]; // milliseconds
      SimulationListener listener =
          new SimulationListener() {
            @Override
            public void jobStarted(JobSpec job, long time, int[] nodes) {
              simStart[(int) job.ordinal()] = time;
            }
          };
      int grace = slurm.graceSeconds() * 1000;
      SchedulerConfig config =
          new SchedulerConfig(
              slurm.nodes().size(),
              Algorithm.SLURM,
              500,
              86_400_000,
              1000,
              1000,
              grace,
              grace,
              completing,
              TimeBase.MILLIS);
      new BatchSimulation(config, null, null, 600, listener).run(specs.iterator());
      double sum = 0;
      double max = 0;
      int within1 = 0;
      int within5 = 0;
      int simLater = 0;
      long realWait = 0; // seconds the jobs waited in real Slurm, for scale
      for (int i = 0; i < JOBS; i++) {
        // Slurm's times are whole seconds (truncated): compare the simulated start truncated the
        // same way
        long diff = Math.abs(simStart[i] / 1000 - realStart[i]);
        sum += diff;
        max = Math.max(max, diff);
        within1 += diff <= 1 ? 1 : 0;
        within5 += diff <= 5 ? 1 : 0;
        simLater += simStart[i] / 1000 > realStart[i] ? 1 : 0;
        realWait += realStart[i] - eligible[i];
      }
      best = Math.min(best, sum / JOBS);
      System.out.printf(
          Locale.ROOT,
          "[slurm-validation] %d jobs on %d nodes over %d s, simulated with %.2f s COMPLETING: mean"
              + " absolute start difference %.2f s, max %.0f s; %d within 1 s, %d within 5 s;"
              + " simulated later than real for %d (real mean wait %.1f s)%n",
          JOBS,
          slurm.nodes().size(),
          realStart[JOBS - 1],
          completing / 1000.0,
          sum / JOBS,
          max,
          within1,
          within5,
          simLater,
          realWait / (double) JOBS);
    }
    assertThat(best).isLessThan(10.0);
  }

  private static long epoch(String time) {
    return LocalDateTime.parse(time).atZone(ZoneId.systemDefault()).toEpochSecond();
  }

  /** Slurm's TimeLimit ({@code MM:SS}, {@code HH:MM:SS} or {@code D-HH:MM:SS}) in whole minutes. */
  private static long minutes(String limit) {
    String[] parts = limit.replaceAll("^\\d+-", "").split(":");
    long days = limit.contains("-") ? Long.parseLong(limit.substring(0, limit.indexOf('-'))) : 0;
    long h = parts.length == 3 ? Long.parseLong(parts[0]) : 0;
    long m = Long.parseLong(parts[parts.length - 2]);
    return days * 1440 + h * 60 + m;
  }
}
