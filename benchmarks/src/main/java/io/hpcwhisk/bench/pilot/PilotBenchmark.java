package io.hpcwhisk.bench.pilot;

import io.hpcwhisk.pilot.InvokerPilot;
import io.hpcwhisk.pilot.PilotIdentity;
import io.hpcwhisk.pilot.PilotSettings;
import io.hpcwhisk.protocol.ActivationRequest;
import io.hpcwhisk.protocol.ActivationStatus;
import io.hpcwhisk.protocol.PilotMessage;
import io.hpcwhisk.runtime.ActionRuntimes;
import io.hpcwhisk.runtime.ActionSpec;
import io.hpcwhisk.runtime.ActivationInput;
import io.hpcwhisk.runtime.ActivationResult;
import io.hpcwhisk.runtime.RuntimeConfig;
import io.hpcwhisk.testkit.FakeBalancer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Measures, on this machine: (1) pilot start-up — real pilot jobs submitted with {@code
 * config/pilot.sbatch} to a running Slurm cluster, from the batch script's first instruction to the
 * balancer double receiving {@code register}; (1b) the preemption hand-over — how long a batch job
 * waits for an idle pilot to leave ({@link PreemptionHandover}); (2) cold start per kind — starting
 * and initialising a runtime plus the first no-op activation; (3) warm per-activation overhead — a
 * no-op nodejs action run again and again in its warm runtime (the action's own run time is near
 * zero, so the round trip is the pilot's overhead).
 */
public final class PilotBenchmark {

  /** What to run. */
  public record Options(
      Optional<Path> slurmConf,
      Path sbatchScript,
      Path hpcWhiskHome,
      int starts,
      String partition,
      int coldRuns,
      int warmRuns,
      Path workDir,
      int preemptions,
      String batchPartition,
      int together) {}

  private final Options options;
  private final PrintStream out;
  private final SlurmCommands slurm;

  public PilotBenchmark(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.slurm = new SlurmCommands(options.slurmConf());
  }

  public void run() throws Exception {
    out.println(
        "# HPC-Whisk pilot benchmark, "
            + Instant.now()
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores, java "
            + System.getProperty("java.version"));
    Files.createDirectories(options.workDir());
    if (options.starts() > 0) {
      if (options.slurmConf().isEmpty()) {
        out.println(
            "pilot start-up: skipped (no --slurm-conf / SLURM_CONF: start one with hpc-whisk"
                + " local-cluster up)");
      } else {
        startUp();
      }
    }
    if (options.preemptions() > 0) {
      if (options.slurmConf().isEmpty()) {
        out.println("preemption hand-over: skipped (no --slurm-conf / SLURM_CONF)");
      } else {
        new PreemptionHandover(
                new PreemptionHandover.Options(
                    options.slurmConf(),
                    options.sbatchScript(),
                    options.hpcWhiskHome(),
                    options.workDir(),
                    options.partition(),
                    options.batchPartition(),
                    options.preemptions(),
                    options.together()),
                out)
            .run();
      }
    }
    Path dir = Files.createDirectories(options.workDir());
    try (ActionRuntimes runtimes =
        new ActionRuntimes(
                RuntimeConfig.defaults(dir.resolve("rt"), 8192)
                    .withSandbox(RuntimeConfig.Sandbox.OFF))
            .warmUp()) {
      coldStarts(runtimes, dir);
      warmOverhead(runtimes);
    }
    throughWebSocket(dir);
  }

  /**
   * The same no-op activation sent by the balancer double to an in-process pilot over the
   * WebSocket: from sending {@code activate} to receiving {@code completed}, minus nothing (the
   * action's own time is microseconds).
   */
  private void throughWebSocket(Path dir) throws Exception {
    String token = "bench-ws";
    try (FakeBalancer balancer = FakeBalancer.start(token)) {
      PilotIdentity identity =
          new PilotIdentity(
              "bench",
              "local",
              2,
              1024,
              Instant.now(),
              Instant.now().plus(Duration.ofHours(1)),
              null);
      PilotSettings settings =
          PilotSettings.of(balancer.uri(), token, dir.resolve("ws"))
              .withSandbox(RuntimeConfig.Sandbox.OFF);
      ActionRuntimes runtimes =
          new ActionRuntimes(
              RuntimeConfig.defaults(dir.resolve("ws-rt"), 1024)
                  .withSandbox(RuntimeConfig.Sandbox.OFF)
                  .withUnsandboxedNamespace("guest"));
      InvokerPilot pilot = new InvokerPilot(identity, settings, runtimes, "bench");
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(pilot::run);
      while (balancer.pilot("slurm-bench").isEmpty()) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
      SynchronousQueue<Long> done = new SynchronousQueue<>();
      balancer.onOutcome(
          outcome -> {
            try {
              done.put(System.nanoTime());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      List<Double> roundTrip = new ArrayList<>();
      for (int i = 0; i < 200 + options.warmRuns(); i++) {
        long t0 = System.nanoTime();
        balancer.activate(
            "slurm-bench",
            new ActivationRequest(
                "ws-" + i,
                "guest",
                "/guest/noop",
                "bench/noop@1",
                "nodejs:20",
                "function main(p) { return p; }",
                false,
                "main",
                Map.of(),
                null,
                null,
                System.currentTimeMillis() + 60_000,
                "http://127.0.0.1:1",
                null,
                System.currentTimeMillis(),
                1,
                false));
        long t1 = done.take();
        if (i >= 200) {
          roundTrip.add((t1 - t0) / 1e6);
        }
      }
      out.println(
          "warm no-op nodejs activation, balancer double -> pilot -> balancer double over"
              + " WebSocket: "
              + Stats.of(roundTrip).format());
      pilot.drain("benchmark over", Instant.now());
      exit.join();
    }
  }

  private void startUp() throws Exception {
    String token = "bench-" + System.nanoTime();
    List<Double> startUp = new ArrayList<>();
    List<Double> submitToRegistered = new ArrayList<>();
    try (FakeBalancer balancer = FakeBalancer.start(token)) {
      for (int i = 0; i < options.starts(); i++) {
        long submitted = System.currentTimeMillis();
        String job = submit(balancer, token);
        Instant limit = Instant.now().plusSeconds(60);
        Optional<FakeBalancer.PilotSession> pilot = Optional.empty();
        int polls = 0;
        boolean ended = false;
        while (pilot.isEmpty() && !ended && Instant.now().isBefore(limit)) {
          pilot = balancer.pilot("slurm-" + job);
          if (pilot.isEmpty()) {
            TimeUnit.MILLISECONDS.sleep(5);
            ended = ++polls % 200 == 0 && slurm.gone(job);
          }
        }
        if (pilot.isEmpty()) {
          out.println(
              "pilot job "
                  + job
                  + " did not register; see "
                  + options.workDir().resolve("bench-pilot-" + job + ".out"));
          slurm.run("scancel", job);
          continue;
        }
        PilotMessage.Register register = pilot.get().register().orElseThrow();
        long registered = pilot.get().registeredAt().toEpochMilli();
        startUp.add((double) (registered - register.launchedAtMs()));
        submitToRegistered.add((double) (registered - submitted));
        slurm.run("scancel", job);
        slurm.awaitGone(job);
      }
    }
    out.println("pilot start-up, batch script start -> registered:  " + Stats.of(startUp).format());
    out.println(
        "pilot start-up, sbatch submit -> registered:       "
            + Stats.of(submitToRegistered).format());
  }

  private String submit(FakeBalancer balancer, String token)
      throws IOException, InterruptedException {
    return slurm.sbatch(
        pilotJobEnvironment(balancer, token, options.hpcWhiskHome(), options.workDir()),
        "--export=ALL",
        "-p",
        options.partition(),
        "--time=5",
        "-o",
        options.workDir().resolve("bench-pilot-%j.out").toString(),
        options.sbatchScript().toString());
  }

  /**
   * What one benchmark pilot job needs in its environment to register with the balancer double: the
   * token goes into a fresh rw------- file in {@code dir} (the pilot deletes it after reading), its
   * path into the job.
   */
  static Map<String, String> pilotJobEnvironment(
      FakeBalancer balancer, String token, Path hpcWhiskHome, Path dir) throws IOException {
    Path file =
        Files.createTempFile(
            dir,
            "bench-pilot-",
            ".token",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, token);
    return Map.of(
        "HPC_WHISK_BALANCER_URL",
        balancer.uri().toString(),
        "HPC_WHISK_PILOT_TOKEN_FILE",
        file.toString(),
        "HPC_WHISK_HOME",
        hpcWhiskHome.toString(),
        "HPC_WHISK_PILOT_SANDBOX",
        "off",
        "HPC_WHISK_PILOT_UNSANDBOXED_NAMESPACE",
        "guest");
  }

  private void coldStarts(ActionRuntimes runtimes, Path dir) {
    Map<String, ActionSpec> kinds = new LinkedHashMap<>();
    kinds.put("nodejs:20", ActionSpec.text("x", "nodejs:20", "function main(p) { return {}; }"));
    kinds.put("python:3", ActionSpec.text("x", "python:3", "def main(a):\n    return {}\n"));
    kinds.put("java", ActionSpec.binary("x", "java", BenchJar.noOp(dir), "bench.NoOp"));
    kinds.put(
        "blackbox",
        ActionSpec.text("x", "blackbox", "#!/bin/sh\nwhile read -r l; do echo '{}' >&3; done\n"));
    for (Map.Entry<String, ActionSpec> kind : kinds.entrySet()) {
      List<Double> init = new ArrayList<>();
      List<Double> total = new ArrayList<>();
      for (int i = 0; i < options.coldRuns(); i++) {
        ActionSpec base = kind.getValue();
        ActionSpec spec =
            new ActionSpec(
                "bench/cold-" + kind.getKey() + "-" + i,
                base.kind(),
                base.code(),
                base.binary(),
                base.main(),
                base.env(),
                base.limits());
        long t0 = System.nanoTime();
        ActivationResult result = runtimes.invoke(spec, input());
        total.add((System.nanoTime() - t0) / 1e6);
        if (result.status() != ActivationStatus.SUCCESS) {
          out.println("cold start of " + kind.getKey() + " failed: " + result.resultJson());
          break;
        }
        init.add(result.initTime().orElseThrow().toNanos() / 1e6);
        runtimes.evict(spec.versionKey());
      }
      out.printf("cold start %-10s init:          %s%n", kind.getKey(), Stats.of(init).format());
      out.printf("cold start %-10s init + first:  %s%n", kind.getKey(), Stats.of(total).format());
    }
  }

  private void warmOverhead(ActionRuntimes runtimes) {
    ActionSpec noOp =
        ActionSpec.text("bench/noop@1", "nodejs:20", "function main(p) { return p; }");
    for (int i = 0; i < 200; i++) {
      runtimes.invoke(noOp, input());
    }
    List<Double> roundTrip = new ArrayList<>();
    for (int i = 0; i < options.warmRuns(); i++) {
      long t0 = System.nanoTime();
      ActivationResult result = runtimes.invoke(noOp, input());
      roundTrip.add((System.nanoTime() - t0) / 1e6);
      if (result.cold() || result.status() != ActivationStatus.SUCCESS) {
        out.println("warm run was not a warm success: " + result);
        return;
      }
    }
    out.println(
        "warm no-op nodejs activation, pilot round trip:    " + Stats.of(roundTrip).format());
  }

  private static ActivationInput input() {
    return new ActivationInput(
        "bench-" + System.nanoTime(),
        "/guest/noop",
        "guest",
        Instant.now().plus(Duration.ofMinutes(1)),
        "http://127.0.0.1:1",
        Optional.empty(),
        null);
  }
}
