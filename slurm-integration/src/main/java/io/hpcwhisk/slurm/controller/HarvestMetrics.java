package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.PilotState;
import io.hpcwhisk.slurm.SlurmAccessException;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The controller's Micrometer meters (all prefixed {@code hpcwhisk.}; every {@link ReasonKind} and
 * error reason exported from the start, at 0); each meter's meaning is stated in
 * docs/admin-guide.md §4, "What it does every pass, and what it exports".
 */
public final class HarvestMetrics implements SlurmCli.CallObserver {

  private static final Duration[] HAND_OVER_BUCKETS = {
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(20),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120)
  };

  private final MeterRegistry registry;
  private final String policy;
  private final AtomicInteger idle = new AtomicInteger();
  private final AtomicInteger windows = new AtomicInteger();
  private final AtomicInteger up = new AtomicInteger(1);
  private final Map<PilotState, AtomicInteger> pilots = new EnumMap<>(PilotState.class);
  private final Counter preemptions;
  private final Counter nodeSeconds;
  private final Timer handOver;
  private final Counter skippedPasses;
  private final AtomicLong passDelayMillis = new AtomicLong();

  public HarvestMetrics(MeterRegistry registry, String policy) {
    this.registry = registry;
    this.policy = policy;
    Gauge.builder("hpcwhisk.harvest.nodes.idle", idle, AtomicInteger::get)
        .description("harvestable (idle or planned) nodes of the harvest partition")
        .register(registry);
    Gauge.builder("hpcwhisk.harvest.nodes.windows", windows, AtomicInteger::get)
        .description("harvestable nodes with a bounded backfill window")
        .register(registry);
    Gauge.builder("hpcwhisk.slurm.up", up, AtomicInteger::get)
        .description("1 while the last reconcile pass could read Slurm")
        .register(registry);
    for (PilotState state : new PilotState[] {PilotState.PENDING, PilotState.RUNNING}) {
      AtomicInteger value = new AtomicInteger();
      pilots.put(state, value);
      Gauge.builder("hpcwhisk.harvest.pilots", value, AtomicInteger::get)
          .tag("state", lower(state.name()))
          .description("our pilot jobs by state")
          .register(registry);
    }
    preemptions =
        Counter.builder("hpcwhisk.harvest.preemptions")
            .description("pilots preempted by batch jobs")
            .register(registry);
    // every kind is exported from the start, at 0, so dashboards and rate() see the series before
    // the first one
    ReasonKind.SUBMISSIONS.forEach(
        kind -> registry.counter("hpcwhisk.harvest.submissions", "policy", policy, "kind", kind));
    ReasonKind.CANCELS.forEach(
        kind -> registry.counter("hpcwhisk.harvest.cancels", "policy", policy, "kind", kind));
    for (SlurmAccessException.Reason reason : SlurmAccessException.Reason.values()) {
      slurmErrorCounter(reason);
    }
    nodeSeconds =
        Counter.builder("hpcwhisk.harvest.node.seconds")
            .baseUnit("seconds")
            .description("node-seconds held by running pilots")
            .register(registry);
    handOver =
        Timer.builder("hpcwhisk.harvest.handover")
            .description(
                "preempted pilots: time from Slurm's preemption to the pilot job's end (the batch"
                    + " job's wait)")
            .serviceLevelObjectives(HAND_OVER_BUCKETS)
            .register(registry);
    skippedPasses =
        Counter.builder("hpcwhisk.harvest.passes.skipped")
            .description("passes skipped because the pass before them ran past their start")
            .register(registry);
    Gauge.builder("hpcwhisk.harvest.pass.delay", passDelayMillis, v -> v.get() / 1000.0)
        .baseUnit("seconds")
        .description(
            "wait before the next pass (harvest.interval, longer while Slurm's answers stay the"
                + " same)")
        .register(registry);
  }

  /** {@code n} passes were skipped: the pass before them was still running. */
  void skippedPasses(long n) {
    skippedPasses.increment(n);
  }

  /** The wait before the next pass. */
  void passDelay(Duration delay) {
    passDelayMillis.set(delay.toMillis());
  }

  void observed(ClusterSnapshot snapshot, Fleet fleet) {
    idle.set(snapshot.harvestableNodes().size());
    windows.set((int) snapshot.boundedWindowCount());
    pilots.forEach((state, value) -> value.set(fleet.inState(state).size()));
    up.set(1);
  }

  void executed(Intent intent) {
    String name =
        intent instanceof Intent.SubmitPilot
            ? "hpcwhisk.harvest.submissions"
            : "hpcwhisk.harvest.cancels";
    registry.counter(name, "policy", policy, "kind", ReasonKind.of(intent)).increment();
  }

  void ended(String how) {
    registry.counter("hpcwhisk.harvest.pilots.ended", "how", how).increment();
    if (how.equals("preempted")) {
      preemptions.increment();
    }
  }

  void handedOver(Duration took) {
    handOver.record(took);
  }

  void harvested(double seconds) {
    if (seconds > 0) {
      nodeSeconds.increment(seconds);
    }
  }

  void slurmError(SlurmAccessException.Reason reason) {
    slurmErrorCounter(reason).increment();
  }

  private Counter slurmErrorCounter(SlurmAccessException.Reason reason) {
    return Counter.builder("hpcwhisk.slurm.errors")
        .tag("reason", reason.tag())
        .description("failed Slurm reads and commands by reason")
        .register(registry);
  }

  /**
   * {@code hpcwhisk.slurm.garbage.lines}: lines of Slurm's answers skipped as not what Slurm prints
   * (the filtered view's count, read when the meter is).
   */
  <T> void garbageLines(T source, ToLongFunction<T> count) {
    // the meter holds source weakly: the caller keeps it (the pass holds its view)
    FunctionCounter.builder(
            "hpcwhisk.slurm.garbage.lines", source, s -> (double) count.applyAsLong(s))
        .description("lines of Slurm's answers skipped as not what Slurm prints")
        .register(registry);
  }

  void pass(boolean ok) {
    registry.counter("hpcwhisk.harvest.passes", "outcome", ok ? "ok" : "failed").increment();
    if (!ok) {
      up.set(0);
    }
  }

  @Override
  public void called(String command, Duration took, boolean ok) {
    Timer.builder("hpcwhisk.slurm.calls")
        .tag("command", command)
        .tag("outcome", ok ? "ok" : "error")
        .description("Slurm command latency")
        .register(registry)
        .record(took);
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
