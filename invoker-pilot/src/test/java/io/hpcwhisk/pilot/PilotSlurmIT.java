package io.hpcwhisk.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcwhisk.protocol.ActionLimitsSpec;
import io.hpcwhisk.protocol.ActivationOutcome;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.protocol.PilotProtocol;
import io.hpcwhisk.testkit.ActionArchives;
import io.hpcwhisk.testkit.FakeBalancer;
import io.hpcwhisk.testkit.PilotJobs;
import io.hpcwhisk.testkit.SlurmEnv;
import io.hpcwhisk.testkit.SlurmTest;
import io.hpcwhisk.testkit.SlurmTiming;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real pilots as real Slurm jobs on the local cluster (config/pilot.sbatch), against the balancer
 * double over a real WebSocket: every kind, warm reuse, limits, logs, parallelism, SIGTERM drain by
 * preemption, and SIGKILL noticed by the balancer.
 */
@SlurmTest
class PilotSlurmIT {

  static final String TOKEN = "it-token";

  /** The pilot JVM's start and registration, once Slurm has started the job. */
  static final Duration START = Duration.ofSeconds(40);

  FakeBalancer balancer;

  @BeforeEach
  void start() throws Exception {
    balancer = FakeBalancer.start(TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    balancer.close();
  }

  private FakeBalancer.PilotSession awaitPilot(SlurmEnv slurm, String jobId) {
    await()
        .atMost(slurm.timing().scheduling().plus(START))
        .until(
            () ->
                balancer.pilot("slurm-" + jobId).isPresent()
                    || slurm.run("squeue", "-h", "-j", jobId).stdout().isBlank());
    assertThat(balancer.pilot("slurm-" + jobId))
        .as("pilot registered; job output:%n%s", PilotJobs.output(slurm, jobId))
        .isPresent();
    return balancer.pilot("slurm-" + jobId).orElseThrow();
  }

  private ActivationOutcome awaitOutcome(String id) {
    await().atMost(Duration.ofSeconds(60)).until(() -> balancer.outcome(id).isPresent());
    return balancer.outcome(id).orElseThrow();
  }

  private static ActivationRequest request(
      String id,
      String versionKey,
      String kind,
      String code,
      boolean binary,
      String main,
      long timeoutMs,
      long resultBytes) {
    return new ActivationRequest(
        id,
        "guest",
        "/guest/" + versionKey,
        versionKey,
        kind,
        code,
        binary,
        main,
        Map.of(),
        new ActionLimitsSpec(timeoutMs, 256, 10_485_760, resultBytes),
        PilotProtocol.mapper().createObjectNode().put("name", id),
        System.currentTimeMillis() + timeoutMs,
        "http://127.0.0.1:1",
        null,
        System.currentTimeMillis(),
        1,
        false);
  }

  private static ActivationRequest withParams(ActivationRequest r, int ms) {
    return new ActivationRequest(
        r.activationId(),
        r.namespace(),
        r.actionName(),
        r.versionKey(),
        r.kind(),
        r.code(),
        r.binary(),
        r.main(),
        r.env(),
        r.limits(),
        PilotProtocol.mapper().createObjectNode().put("ms", ms),
        r.deadlineMs(),
        r.apiHost(),
        r.apiKey(),
        r.acceptedAtMs(),
        r.attempt(),
        r.retrySafe());
  }

  @Test
  void runsEveryKindReusesWarmRuntimesAndEnforcesLimits(SlurmEnv slurm, @TempDir Path tmp)
      throws Exception {
    String job =
        PilotJobs.submit(
            slurm, balancer.uri().toString(), TOKEN, Map.of(), "-p", "whisk", "--time=5");
    FakeBalancer.PilotSession pilot = awaitPilot(slurm, job);
    String id = "slurm-" + job;
    assertThat(pilot.register().orElseThrow().node()).isIn(slurm.nodes());
    assertThat(pilot.register().orElseThrow().memoryMb()).isEqualTo(2000);
    assertThat(pilot.register().orElseThrow().deadlineMs())
        .isGreaterThan(System.currentTimeMillis() + 200_000);

    String jar =
        ActionArchives.javaJar(
            tmp,
            Map.of(
                "it.Hello",
                """
                package it;
                import com.google.gson.JsonObject;
                public class Hello {
                  public static JsonObject main(JsonObject args) {
                    JsonObject out = new JsonObject();
                    out.addProperty("java", "Hello " + args.get("name").getAsString());
                    return out;
                  }
                }
                """));
    balancer.activate(
        id,
        request(
            "node-1",
            "node@1",
            "nodejs:20",
            "function main(p) { console.log('node log'); return { node: 'Hello ' + p.name }; }",
            false,
            "main",
            10_000,
            1 << 20));
    balancer.activate(
        id,
        request(
            "py-1",
            "py@1",
            "python:3",
            "def main(a):\n    print('python log')\n    return {'python': 'Hello ' + a['name']}\n",
            false,
            "main",
            10_000,
            1 << 20));
    balancer.activate(
        id, request("java-1", "java@1", "java", jar, true, "it.Hello", 20_000, 1 << 20));
    balancer.activate(
        id,
        request(
            "native-1",
            "native@1",
            "blackbox",
            "#!/bin/sh\nwhile read -r l; do echo native log; echo '{\"native\":true}' >&3; done\n",
            false,
            null,
            10_000,
            1 << 20));
    balancer.activate(
        id,
        request(
            "zip-py-1",
            "zip-py@1",
            "python:default",
            ActionArchives.zip(
                Map.of("__main__.py", "def main(a):\n    return {'zip': a['name']}\n")),
            true,
            "main",
            10_000,
            1 << 20));

    assertThat(awaitOutcome("node-1").result().toString()).isEqualTo("{\"node\":\"Hello node-1\"}");
    assertThat(awaitOutcome("node-1").logs())
        .singleElement()
        .asString()
        .endsWith("stdout: node log");
    assertThat(awaitOutcome("py-1").result().toString()).isEqualTo("{\"python\":\"Hello py-1\"}");
    assertThat(awaitOutcome("py-1").logs())
        .singleElement()
        .asString()
        .endsWith("stdout: python log");
    assertThat(awaitOutcome("java-1").result().toString()).isEqualTo("{\"java\":\"Hello java-1\"}");
    assertThat(awaitOutcome("native-1").result().toString()).isEqualTo("{\"native\":true}");
    assertThat(awaitOutcome("zip-py-1").result().toString()).isEqualTo("{\"zip\":\"zip-py-1\"}");
    assertThat(List.of("node-1", "py-1", "java-1", "native-1", "zip-py-1"))
        .allMatch(
            a -> awaitOutcome(a).status() == ActivationStatus.SUCCESS && awaitOutcome(a).cold());

    // Warm reuse: the same version again runs in the runtime the first activation started.
    balancer.activate(
        id,
        request(
            "node-2",
            "node@1",
            "nodejs:20",
            "function main(p) { console.log('node log'); return { node: 'Hello ' + p.name }; }",
            false,
            "main",
            10_000,
            1 << 20));
    assertThat(awaitOutcome("node-2").cold()).isFalse();
    assertThat(awaitOutcome("node-2").initMs()).isZero();

    // Limits and errors.
    balancer.activate(
        id,
        request(
            "timeout-1",
            "spin@1",
            "nodejs:20",
            "function main() { while (true) {} }",
            false,
            "main",
            1000,
            1 << 20));
    balancer.activate(
        id,
        request(
            "crash-1",
            "crash@1",
            "python:3",
            "import os\ndef main(a):\n    os._exit(1)\n",
            false,
            "main",
            10_000,
            1 << 20));
    balancer.activate(
        id,
        request(
            "big-1",
            "big@1",
            "nodejs:20",
            "function main() { return { s: 'x'.repeat(5000) }; }",
            false,
            "main",
            10_000,
            1000));
    assertThat(awaitOutcome("timeout-1").status()).isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(awaitOutcome("timeout-1").result().get("error").asText())
        .isEqualTo("The action exceeded its time limits of 1000 milliseconds.");
    assertThat(awaitOutcome("crash-1").result().get("error").asText())
        .isEqualTo("The action did not produce a valid response and exited unexpectedly.");
    assertThat(awaitOutcome("big-1").result().get("error").asText())
        .isEqualTo(
            "The action produced a response that exceeded the allowed length: 5008 > 1000 bytes.");

    // Parallel activations: four 1.5 s activations overlap in four runtimes.
    for (int i = 0; i < 4; i++) {
      balancer.activate(
          id,
          request(
              "par-" + i,
              "par@1",
              "nodejs:20",
              "function main(p) { return new Promise(r => setTimeout(() => r({ i: p.name }),"
                  + " 1500)); }",
              false,
              "main",
              10_000,
              1 << 20));
    }
    List<ActivationOutcome> parallel =
        List.of(
            awaitOutcome("par-0"),
            awaitOutcome("par-1"),
            awaitOutcome("par-2"),
            awaitOutcome("par-3"));
    long firstEnd = parallel.stream().mapToLong(ActivationOutcome::endMs).min().orElseThrow();
    assertThat(parallel).allMatch(o -> o.startMs() < firstEnd).as("all four ran at the same time");
    // the next heartbeat (every 500 ms, at most 1 s) reports them; the bound allows for a loaded
    // machine
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                pilot
                    .lastHeartbeat()
                    .map(h -> h.warm().getOrDefault("par@1", 0) == 4)
                    .orElse(false));
    System.out.println("[pilot-it] metrics: " + pilot.lastHeartbeat().orElseThrow().metrics());
    slurm.run("scancel", job);
  }

  @Test
  void sigtermDrainsFinishesInFlightHandsBackQueueAndExitsZero(SlurmEnv slurm) throws Exception {
    String node = slurm.nodes().get(0);
    String job =
        PilotJobs.submit(
            slurm,
            balancer.uri().toString(),
            TOKEN,
            Map.of("HPC_WHISK_PILOT_MEMORY_MB", "256"),
            "-p",
            "whisk",
            "-w",
            node,
            "--time=5");
    FakeBalancer.PilotSession pilot = awaitPilot(slurm, job);
    String id = "slurm-" + job;
    String sleep =
        "function main(p) { return new Promise(r => setTimeout(() => r({ done: p.name }), p.ms));"
            + " }";
    ActivationRequest warmUp =
        request("warm-up", "sleep@1", "nodejs:20", sleep, false, "main", 10_000, 1 << 20);
    balancer.activate(id, withParams(warmUp, 10));
    awaitOutcome("warm-up");
    for (String a : List.of("inflight", "queued-1", "queued-2")) {
      balancer.activate(
          id,
          withParams(
              request(a, "sleep@1", "nodejs:20", sleep, false, "main", 10_000, 1 << 20), 3000));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> balancer.accepted().size() == 4);

    Instant term = Instant.now();
    slurm
        .run("scancel", "--signal=TERM", job)
        .orThrow(); // to the job's steps: the pilot, as a preemption does

    // scancel is an RPC to the node (Slurm allows it MessageTimeout), then the pilot drains within
    // the grace time
    await()
        .atMost(slurm.timing().signalDelivery().plusSeconds(slurm.graceSeconds()))
        .until(pilot::left);
    System.out.println(
        "[pilot-it] SIGTERM at "
            + term
            + ", pilot left after "
            + Duration.between(term, Instant.now()).toMillis()
            + " ms");
    assertThat(awaitOutcome("inflight").status())
        .as("%s", awaitOutcome("inflight"))
        .isEqualTo(ActivationStatus.SUCCESS);
    assertThat(balancer.handedBack()).containsOnlyKeys("queued-1", "queued-2");
    assertThat(pilot.lostAt()).isEmpty();
    await()
        .atMost(slurm.timing().scheduling())
        .until(
            () ->
                slurm.run("scontrol", "show", "job", job).stdout().contains("JobState=COMPLETED"));
    assertThat(slurm.run("scontrol", "show", "job", job).stdout()).contains("ExitCode=0:0");
    assertThat(PilotJobs.output(slurm, job)).contains("drains: SIGTERM").contains("leaves");
  }

  /**
   * Slurm signals a preempted job's steps at once and its batch shell only when the grace time has
   * run out; the pilot runs as a step, so it drains at once and the batch job does not wait for the
   * grace time.
   */
  @Test
  void preemptedPilotDrainsAtOnceAndTheBatchJobDoesNotWaitForTheGraceTime(SlurmEnv slurm)
      throws Exception {
    String node = slurm.nodes().get(1);
    String job =
        PilotJobs.submit(
            slurm,
            balancer.uri().toString(),
            TOKEN,
            Map.of(),
            "-p",
            "whisk",
            "-w",
            node,
            "--time=5");
    FakeBalancer.PilotSession pilot = awaitPilot(slurm, job);

    String batch =
        slurm
            .run(
                "sbatch",
                "--parsable",
                "-p",
                "batch",
                "-w",
                node,
                "--time=1",
                "-J",
                "preemptor",
                "-o",
                "/dev/null",
                "--wrap",
                "sleep 2")
            .orThrow()
            .stdout()
            .strip();

    // the events: Slurm starts the preemption when a scheduler pass gets to the batch job (its
    // intervals bound the
    // wait; under load it took seconds), the pilot drains and leaves, the batch job starts
    SlurmTiming timing = slurm.timing();
    await()
        .atMost(timing.scheduling().plus(timing.signalDelivery()).plusSeconds(slurm.graceSeconds()))
        .until(pilot::left);
    PilotMessage.Draining draining =
        pilot.received().stream()
            .filter(m -> m instanceof PilotMessage.Draining)
            .map(m -> (PilotMessage.Draining) m)
            .findFirst()
            .orElseThrow();
    assertThat(draining.reason()).contains("SIGTERM");
    await()
        .atMost(timing.scheduling())
        .until(
            () ->
                slurm
                    .run("squeue", "-h", "-j", batch, "-o", "%T")
                    .stdout()
                    .strip()
                    .matches("RUNNING|COMPLETING|"));
    String seen = PilotJobs.output(slurm, job) + slurm.describe(job, batch);
    assertThat(slurm.leftByItselfWhenPreempted(job))
        .as(
            "the pilot job ended by itself within the grace time "
                + "(PREEMPTED: killed at its end); %s",
            seen)
        .isTrue();
    long handOver = slurm.handOverSeconds(job, batch);
    String state = slurm.run("scontrol", "show", "job", job).stdout();
    System.out.println(
        "[pilot-it] preempted pilot: "
            + state.replaceAll("(?s).*(JobState=\\S+).*(RunTime=\\S+).*", "$1 $2")
            + "; the batch job started "
            + handOver
            + " s after the preemption started, "
            + slurm.startDelaySeconds(batch)
            + " s after submission (grace "
            + slurm.graceSeconds()
            + " s)");
    assertThat(handOver)
        .as("the batch job waited only for the pilot to leave, not for the grace time; %s", seen)
        .isLessThan(slurm.graceSeconds());
    assertThat(pilot.lostAt()).as("it left, it was not lost").isEmpty();
    // The drain and the leave are proven above by what the pilot told the balancer (Draining for
    // SIGTERM, then left),
    // not by the job's output: once Slurm cancels a step (a preemption does), srun may stop
    // forwarding the step's
    // output, so the pilot's last log lines can be missing there (seen under stress-ng with
    // PreemptionHandOverIT).
  }

  @Test
  void sigkilledPilotIsNoticedOnceSlurmDeliversTheKill(SlurmEnv slurm) throws Exception {
    String job =
        PilotJobs.submit(
            slurm, balancer.uri().toString(), TOKEN, Map.of(), "-p", "whisk", "--time=5");
    FakeBalancer.PilotSession pilot = awaitPilot(slurm, job);

    Instant killed = Instant.now();
    slurm.run("scancel", "--signal=KILL", job + ".0").orThrow(); // the pilot: the job's step 0

    // scancel reaches the step within Slurm's MessageTimeout; the balancer notices the dead pilot's
    // closed connection
    await()
        .atMost(slurm.timing().signalDelivery().plusSeconds(3))
        .until(() -> pilot.lostAt().isPresent());
    System.out.println(
        "[pilot-it] SIGKILL noticed after "
            + Duration.between(killed, pilot.lostAt().orElseThrow()).toMillis()
            + " ms: "
            + pilot.lostReason().orElseThrow());
    assertThat(pilot.left()).isFalse();
  }
}
