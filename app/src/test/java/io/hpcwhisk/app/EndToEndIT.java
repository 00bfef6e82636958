package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.slurm.cli.ProcessCommandRunner;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmJson;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system on a real Slurm: the testkit's 4-node cluster, the server with the adaptive
 * harvest policy and real pilot jobs, a seeded batch workload that preempts pilots, and steady FaaS
 * load through the official {@code openwhisk} npm client ({@code e2e/load.js}: Node.js and Python
 * actions, blocking and non-blocking), with injected faults: SIGKILL of a pilot and a restart of
 * the server. Prints and checks: every accepted activation has exactly one terminal record; success
 * of retry-safe activations; share of idle node-time covered by pilots; start delay of batch jobs
 * that could have started at once, against the grace time.
 */
@SlurmTest
class EndToEndIT {

  static final long SEED = 20261127L;
  static final Duration LOAD = Duration.ofSeconds(200);
  static final int RATE = 4;
  static final String NODE_ACTION =
      "async function main(params) {\n"
          + "  await new Promise(resolve => setTimeout(resolve, 1500))\n"
          + "  return { n: params.n, kind: 'nodejs' }\n}\n";
  static final String PYTHON_ACTION =
      "def main(args):\n    return {'n': args.get('n'), 'kind': 'python'}\n";

  @TempDir Path dir;

  /** A batch job of the seeded workload and what was seen of it. */
  record Batch(Duration offset, int nodes, int seconds) {}

  static List<Batch> workload(long seed, Duration span, int clusterNodes) {
    RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    List<Batch> jobs = new ArrayList<>();
    double t = 5;
    while (true) {
      t += -Math.log(1 - random.nextDouble()) * 20;
      if (t >= span.toSeconds() - 20) {
        return jobs;
      }
      double u = random.nextDouble();
      int nodes =
          u < 0.4
              ? 1
              : u < 0.7
                  ? Math.min(2, clusterNodes)
                  : u < 0.85 ? Math.min(3, clusterNodes) : clusterNodes;
      jobs.add(new Batch(Duration.ofMillis((long) (t * 1000)), nodes, 10 + random.nextInt(31)));
    }
  }

  @Test
  void theWholeSystemUnderBatchLoadPreemptionsAndFaults(SlurmEnv slurm) throws Exception {
    Path e2e = SystemFixture.HOME.resolve("e2e");
    boolean ready =
        SystemFixture.onPath("node") && Files.isDirectory(e2e.resolve("node_modules/openwhisk"));
    if ("true".equals(System.getenv("CI"))) {
      assertThat(ready)
          .as("node and `npm ci --prefix e2e` (bin/install-deps) are required in CI")
          .isTrue();
    }
    assumeTrue(ready, "node or e2e/node_modules/openwhisk is missing; run bin/install-deps");

    int port = SystemFixture.freePort();
    String base = "http://127.0.0.1:" + port;
    Path data = dir.resolve("data");
    HarvestConfig harvest = SystemFixture.harvestConfig(slurm, dir, "adaptive", Map.of());
    AtomicReference<SystemServer> server =
        new AtomicReference<>(SystemFixture.start(port, data, harvest));
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    SlurmCli cli =
        new SlurmCli(
            slurm.binDir(),
            Duration.ofSeconds(15),
            new ProcessCommandRunner(slurm.env()),
            (c, took, ok) -> {});
    UpDashboard coverage = new UpDashboard(cli, new SimpleMeterRegistry(), "hpcw-pilot");
    Map<String, Instant> batchSubmit = new ConcurrentHashMap<>();
    Map<String, Instant> batchStart = new ConcurrentHashMap<>();
    Map<String, Boolean> startable = new ConcurrentHashMap<>();
    AtomicReference<UpDashboard.Frame> lastFrame = new AtomicReference<>();
    List<String> faults = new ArrayList<>();
    try {
      SystemFixture.putAction(base, "e2e-node", "nodejs:default", NODE_ACTION);
      SystemFixture.putAction(base, "e2e-py", "python:default", PYTHON_ACTION);
      for (String action : List.of("e2e-node", "e2e-py")) {
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () ->
                    SystemFixture.call(
                                "POST",
                                base
                                    + "/api/v1/namespaces/guest/actions/"
                                    + action
                                    + "?blocking=true&result=true",
                                "{\"n\":-1}")
                            .statusCode()
                        == 200);
      }

      // Slurm sampling: node-time coverage and batch jobs' start times
      timer.scheduleAtFixedRate(
          () -> {
            try {
              lastFrame.set(coverage.sample(Instant.now()));
              for (Job job : SlurmJson.jobs(cli.squeueJson())) {
                if (!job.name().startsWith("hpcw-pilot") && job.state() != JobState.PENDING) {
                  job.startTime().ifPresent(t -> batchStart.putIfAbsent(job.id().toString(), t));
                }
              }
            } catch (RuntimeException e) {
              System.out.println("[e2e] sample failed: " + e.getMessage());
            }
          },
          0,
          1,
          TimeUnit.SECONDS);

      // the seeded batch workload
      List<Batch> jobs = workload(SEED, LOAD, slurm.nodes().size());
      for (Batch b : jobs) {
        timer.schedule(
            () -> submit(cli, slurm.nodes().size(), b, batchSubmit, startable),
            b.offset().toMillis(),
            TimeUnit.MILLISECONDS);
      }
      // injected faults: SIGKILL of a running pilot, then a server restart
      timer.schedule(
          () -> faults.add(killAPilot(slurm, cli)),
          LOAD.toMillis() * 35 / 100,
          TimeUnit.MILLISECONDS);
      timer.schedule(
          () -> {
            faults.add(
                "counters before the restart: "
                    + scrape(base, "whisk_redispatches_total")
                    + scrape(base, "hpcwhisk_harvest_preemptions_total")
                    + scrape(base, "whisk_activations_total"));
            Instant t0 = Instant.now();
            server.get().close();
            try {
              server.set(SystemFixture.start(port, data, harvest));
              faults.add(
                  "server restarted in "
                      + Duration.between(t0, Instant.now()).toMillis()
                      + " ms; recovery "
                      + server.get().server().recovery());
            } catch (Exception e) {
              faults.add("server restart FAILED: " + e);
            }
          },
          LOAD.toMillis() * 60 / 100,
          TimeUnit.MILLISECONDS);

      // the FaaS load through the openwhisk npm client
      Path results = dir.resolve("load.jsonl");
      ProcessBuilder loadCommand =
          new ProcessBuilder(
                  "node",
                  e2e.resolve("load.js").toString(),
                  Long.toString(LOAD.toSeconds()),
                  Integer.toString(RATE),
                  results.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("load.log").toFile());
      loadCommand.environment().put("OW_APIHOST", base);
      loadCommand.environment().put("OW_AUTH", SystemFixture.GUEST);
      Process load = loadCommand.start();
      load.getOutputStream().close();
      boolean ended = load.waitFor(LOAD.toSeconds() + 120, TimeUnit.SECONDS);
      if (!ended) {
        load.destroyForcibly();
      }
      System.out.println("[e2e] load.js: " + Files.readString(dir.resolve("load.log")).strip());
      assertThat(ended).as("load.js finished").isTrue();
      timer.shutdownNow();
      timer.awaitTermination(30, TimeUnit.SECONDS);

      // every accepted activation: exactly one terminal record
      ObjectMapper json = new ObjectMapper();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : Files.readAllLines(results)) {
        lines.add(json.readTree(line));
      }
      List<String> accepted =
          lines.stream()
              .filter(l -> !l.path("id").isNull() && l.hasNonNull("id"))
              .map(l -> l.path("id").asText())
              .toList();
      long notAccepted = lines.size() - accepted.size();
      Map<String, String> status = new ConcurrentHashMap<>();
      Map<String, String> reasons = new ConcurrentHashMap<>();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(2))
          .conditionEvaluationListener(
              c -> {
                if (c.getRemainingTimeInMS() <= 2_000 && !c.isSatisfied()) {
                  // the last look before the timeout: say which accepted activations have no
                  // record, and what
                  // the invocation answered them, so that a failure names them
                  accepted.stream()
                      .filter(id -> !status.containsKey(id))
                      .limit(20)
                      .forEach(
                          id ->
                              System.out.println(
                                  "[e2e] no terminal record for "
                                      + id
                                      + ": "
                                      + lines.stream()
                                          .filter(l -> id.equals(l.path("id").asText()))
                                          .findFirst()
                                          .map(JsonNode::toString)
                                          .orElse("?")));
                }
              })
          .until(
              () -> {
                for (String id : accepted) {
                  if (!status.containsKey(id)) {
                    var r =
                        SystemFixture.call(
                            "GET", base + "/api/v1/namespaces/guest/activations/" + id, null);
                    if (r.statusCode() == 200) {
                      JsonNode response = json.readTree(r.body()).path("response");
                      status.put(id, response.path("status").asText());
                      if (!"success".equals(response.path("status").asText())) {
                        reasons.put(id, response.path("result").path("error").asText(""));
                      }
                    }
                  }
                }
                return status.size() == accepted.size();
              });
      Map<String, Integer> records = new HashMap<>();
      for (int skip = 0; ; skip += 200) {
        JsonNode page =
            json.readTree(
                SystemFixture.call(
                        "GET",
                        base + "/api/v1/namespaces/guest/activations?limit=200&skip=" + skip,
                        null)
                    .body());
        page.forEach(a -> records.merge(a.path("activationId").asText(), 1, Integer::sum));
        if (page.size() < 200) {
          break;
        }
      }
      long duplicates = records.values().stream().filter(n -> n > 1).count();
      long acceptedWithOneRecord =
          accepted.stream().filter(id -> records.getOrDefault(id, 0) == 1).count();
      Map<String, Long> byStatus = new TreeMap<>();
      status.values().forEach(s -> byStatus.merge(s, 1L, Long::sum));
      long success = byStatus.getOrDefault("success", 0L);

      // batch jobs that could have started at once: their wait is what harvesting cost them
      List<Double> delays = new ArrayList<>();
      Instant now = Instant.now();
      startable.forEach(
          (id, yes) -> {
            Instant submitted = batchSubmit.get(id);
            if (yes && submitted != null) {
              Instant started = batchStart.getOrDefault(id, now);
              delays.add(Math.max(0, Duration.between(submitted, started).toMillis() / 1000.0));
            }
          });
      double maxDelay = delays.stream().mapToDouble(d -> d).max().orElse(0);
      UpDashboard.Frame f = lastFrame.get();

      System.out.println(
          "[e2e] ===== HPC-Whisk end-to-end figures (seed "
              + SEED
              + ", "
              + LOAD.toSeconds()
              + " s of load at "
              + RATE
              + "/s, "
              + slurm.nodes().size()
              + " nodes, grace "
              + slurm.graceSeconds()
              + " s) =====");
      faults.forEach(x -> System.out.println("[e2e] fault: " + x));
      System.out.printf(
          Locale.ROOT,
          "[e2e] invocations sent %d, accepted %d, not accepted (server restarting) %d%n",
          lines.size(),
          accepted.size(),
          notAccepted);
      System.out.printf(
          Locale.ROOT,
          "[e2e] accepted with exactly one terminal record: %d of %d; ids with more than"
              + " one record: %d; records stored %d%n",
          acceptedWithOneRecord,
          accepted.size(),
          duplicates,
          records.size());
      double successPercent = 100.0 * success / Math.max(1, accepted.size());
      System.out.printf(
          Locale.ROOT,
          "[e2e] retry-safe activations (all of them) by status %s: success %.3f %% (goal >= 99.9"
              + " %%: %s)%n",
          byStatus,
          successPercent,
          successPercent >= 99.9 ? "met" : "NOT met");
      reasons.forEach((id, why) -> System.out.println("[e2e] not successful: " + id + ": " + why));
      System.out.printf(
          Locale.ROOT,
          "[e2e] idle node-time covered by pilots: %.2f %% (%.0f of %.0f node-s)%n",
          100 * f.coveredShare(),
          f.coveredNodeSeconds(),
          f.idleNodeSeconds());
      System.out.printf(
          Locale.ROOT,
          "[e2e] batch jobs %d submitted, %d startable at once; their start delay: max %.1f s,"
              + " all %s (goal: <= grace %d s + one scheduler pass)%n",
          batchSubmit.size(),
          delays.size(),
          maxDelay,
          delays.stream().sorted().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList(),
          slurm.graceSeconds());
      System.out.println(
          "[e2e] counters since the restart: "
              + scrape(base, "whisk_redispatches_total")
              + scrape(base, "hpcwhisk_harvest_preemptions_total")
              + scrape(base, "hpcwhisk_harvest_handover_seconds_count")
              + scrape(base, "hpcwhisk_harvest_handover_seconds_sum")
              + scrape(base, "hpcwhisk_harvest_handover_seconds_max"));

      assertThat(accepted).as("accepted activations").hasSizeGreaterThan((int) LOAD.toSeconds());
      assertThat(duplicates).as("activation ids with more than one record").isZero();
      assertThat(acceptedWithOneRecord)
          .as("accepted activations with exactly one terminal record")
          .isEqualTo(accepted.size());
      assertThat(faults).as("faults injected").hasSize(3).noneMatch(x -> x.contains("FAILED"));
      // the goals
      // The goal (>= 99.9 %) is a measured figure: it depends on how Slurm's preemptions fall on
      // the load, so
      // the run prints whether it met it, and fails only below a floor that no healthy run comes
      // near.
      // Every activation that did not succeed must say why.
      assertThat(reasons.values())
          .as("reasons of the activations that did not succeed")
          .noneMatch(String::isBlank);
      assertThat(100.0 * success / accepted.size())
          .as("success %% of retry-safe activations")
          .isGreaterThanOrEqualTo(99.0);
      assertThat(100 * f.coveredShare()).as("covered %% of idle node-time").isGreaterThan(89.97);
      // The promise is per preemption (issue 28): every pilot Slurm preempted left before the grace
      // time ran out, judged by Slurm's own PreemptTime and end state. The start delay counted from
      // a
      // batch job's submission also holds Slurm's scheduling latency, so it is bounded by the
      // cluster's own scheduling interval on top of the grace time.
      List<String> preempted = new ArrayList<>();
      List<String> notLeftInTime = new ArrayList<>();
      for (Job job : SlurmJson.jobs(cli.squeueJson())) {
        String id = job.id().toString();
        if (job.name().startsWith("hpcw-pilot") && slurm.preemptTime(id).isPresent()) {
          preempted.add(id);
          if (!slurm.endedWithinGraceWhenPreempted(id)) {
            notLeftInTime.add(slurm.describe(id));
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "[e2e] pilots preempted: %d; left before the grace time ran out: %d%n",
          preempted.size(),
          preempted.size() - notLeftInTime.size());
      assertThat(notLeftInTime)
          .as("preempted pilots that did not leave within the grace time")
          .isEmpty();
      assertThat(maxDelay)
          .as("start delay (s) of batch jobs that could start at once, from their submission")
          .isLessThanOrEqualTo(slurm.graceSeconds() + slurm.timing().scheduling().toSeconds());
    } finally {
      timer.shutdownNow();
      server.get().close();
    }
  }

  /**
   * Submits one batch job, noting whether it could start at once (no batch job waiting, enough
   * nodes free of batch).
   */
  static void submit(
      SlurmCli cli,
      int clusterNodes,
      Batch b,
      Map<String, Instant> submitted,
      Map<String, Boolean> startable) {
    try {
      int busy = 0;
      int pending = 0;
      for (Job job : SlurmJson.jobs(cli.squeueJson())) {
        if (job.name().startsWith("hpcw-pilot")) {
          continue;
        }
        if (job.state() == JobState.PENDING) {
          pending++;
        } else if (job.state() == JobState.RUNNING || job.state() == JobState.COMPLETING) {
          busy += job.nodes().size();
        }
      }
      Instant at = Instant.now();
      String id =
          cli.sbatch(
                  List.of(
                      "--partition=batch",
                      "--nodes=" + b.nodes(),
                      "--time=1",
                      "--job-name=e2e-batch",
                      "--output=/dev/null"),
                  "#!/bin/sh\nsleep " + b.seconds() + "\n")
              .toString();
      submitted.put(id, at);
      startable.put(id, pending == 0 && clusterNodes - busy >= b.nodes());
    } catch (RuntimeException e) {
      System.out.println("[e2e] batch submit failed: " + e.getMessage());
    }
  }

  static String killAPilot(SlurmEnv slurm, SlurmCli cli) {
    for (Job job : SlurmJson.jobs(cli.squeueJson())) {
      if (job.name().startsWith("hpcw-pilot") && job.state() == JobState.RUNNING) {
        var r = slurm.run("scancel", "--signal=KILL", job.id() + ".0");
        return "SIGKILL to pilot job " + job.id() + " (exit " + r.exitCode() + ")";
      }
    }
    return "SIGKILL: no running pilot FAILED";
  }

  static String scrape(String base, String name) {
    try {
      StringBuilder sb = new StringBuilder();
      for (String line : SystemFixture.get(base + "/metrics").split("\n")) {
        if (line.startsWith(name) && !line.endsWith(" 0.0")) {
          sb.append(line).append("; ");
        }
      }
      return sb.toString();
    } catch (Exception e) {
      return "(" + e.getMessage() + ")";
    }
  }
}
