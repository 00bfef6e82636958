package io.hpcwhisk.app;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.NodeInfo;
import io.hpcwhisk.core.cluster.NodeState;
import io.hpcwhisk.slurm.cli.SlurmCli;
import io.hpcwhisk.slurm.cli.SlurmJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The live screen of {@code hpc-whisk up}: samples Slurm (squeue/sinfo) and the server's meters,
 * integrates idle and pilot-held node-time, and renders a small text dashboard.
 *
 * <p>Algorithm: at every sample, a node is <i>busy</i> when a batch job runs on it, <i>held</i>
 * when a pilot runs on it, <i>idle</i> otherwise (down and drained nodes are left out). Between two
 * samples each non-busy node adds the elapsed time to the idle node-time, and each held node to the
 * covered node-time too; the covered share is their ratio. Activations per second are the
 * difference of {@code whisk_activations} counts between two samples.
 *
 * <p>Known caveats: sampling at 1 s misses shorter gaps; a pilot that is starting (its JVM not yet
 * registered) already counts as holding its node, as Slurm sees it.
 */
final class UpDashboard {

  /** One sample as shown on the screen. */
  record Frame(
      Instant at,
      int busy,
      int idle,
      int held,
      int down,
      int pilotsPending,
      int pilotsRunning,
      Map<String, Integer> pilotsByHealth,
      double activationsPerSecond,
      Map<String, Long> outcomes,
      double idleNodeSeconds,
      double coveredNodeSeconds,
      int batchRunning,
      int batchPending) {

    double coveredShare() {
      return idleNodeSeconds <= 0 ? 0 : coveredNodeSeconds / idleNodeSeconds;
    }

    long registered() {
      return pilotsByHealth.getOrDefault("healthy", 0) + pilotsByHealth.getOrDefault("degraded", 0);
    }
  }

  private final SlurmCli slurm;
  private final MeterRegistry meters;
  private final String pilotPrefix;
  private Instant last;
  private double lastCount = -1;
  private double idle;
  private double covered;

  UpDashboard(SlurmCli slurm, MeterRegistry meters, String pilotPrefix) {
    this.slurm = slurm;
    this.meters = meters;
    this.pilotPrefix = pilotPrefix;
  }

  /** Reads Slurm and the meters once. */
  synchronized Frame sample(Instant now) {
    List<Job> jobs = SlurmJson.jobs(slurm.squeueJson());
    List<NodeInfo> nodes = SlurmJson.nodes(slurm.sinfoJson());
    Set<String> batchBusy = new HashSet<>();
    Set<String> pilotHeld = new HashSet<>();
    int pending = 0;
    int running = 0;
    int batchRunning = 0;
    int batchPending = 0;
    for (Job job : jobs) {
      boolean pilot = job.name().startsWith(pilotPrefix);
      boolean active = job.state() == JobState.RUNNING || job.state() == JobState.COMPLETING;
      if (active) {
        (pilot ? pilotHeld : batchBusy).addAll(job.nodes());
      }
      if (pilot) {
        pending += job.state() == JobState.PENDING ? 1 : 0;
        running += active ? 1 : 0;
      } else {
        batchPending += job.state() == JobState.PENDING ? 1 : 0;
        batchRunning += active ? 1 : 0;
      }
    }
    int busy = 0;
    int held = 0;
    int free = 0;
    int down = 0;
    double dt = last == null ? 0 : Duration.between(last, now).toMillis() / 1000.0;
    for (NodeInfo node : nodes) {
      if (node.state() == NodeState.DOWN || node.state() == NodeState.DRAIN) {
        down++;
        continue;
      }
      if (batchBusy.contains(node.name())) {
        busy++;
        continue;
      }
      idle += dt;
      if (pilotHeld.contains(node.name())) {
        held++;
        covered += dt;
      } else {
        free++;
      }
    }
    Map<String, Integer> health = new TreeMap<>();
    for (Gauge g : meters.find("whisk_pilots").gauges()) {
      health.put(g.getId().getTag("health"), (int) g.value());
    }
    Map<String, Long> outcomes = new TreeMap<>();
    double total = 0;
    for (Counter c : meters.find("whisk_activations").counters()) {
      outcomes.merge(c.getId().getTag("outcome"), (long) c.count(), Long::sum);
      total += c.count();
    }
    double rate = lastCount < 0 || dt <= 0 ? 0 : (total - lastCount) / dt;
    lastCount = total;
    last = now;
    return new Frame(
        now,
        busy,
        free,
        held,
        down,
        pending,
        running,
        health,
        rate,
        outcomes,
        idle,
        covered,
        batchRunning,
        batchPending);
  }

  /** The frame as text lines (no terminal control codes). */
  static String render(Frame f, String header) {
    StringBuilder sb = new StringBuilder();
    sb.append(header).append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "  nodes    %2d busy (batch)  %2d held by pilots  %2d idle%s%n",
            f.busy(),
            f.held(),
            f.idle(),
            f.down() > 0 ? String.format(Locale.ROOT, "  %2d down", f.down()) : ""));
    sb.append(
        String.format(
            Locale.ROOT,
            "  batch    %2d running  %2d pending%n",
            f.batchRunning(),
            f.batchPending()));
    sb.append(
        String.format(
            Locale.ROOT,
            "  pilots   %2d pending  %2d running in Slurm | registered: %s%n",
            f.pilotsPending(),
            f.pilotsRunning(),
            f.pilotsByHealth().isEmpty() ? "-" : joined(f.pilotsByHealth())));
    sb.append(
        String.format(
            Locale.ROOT,
            "  invokes  %6.1f/s | outcomes: %s%n",
            f.activationsPerSecond(),
            f.outcomes().isEmpty() ? "none yet" : joined(f.outcomes())));
    sb.append(
        String.format(
            Locale.ROOT,
            "  idle node-time covered by pilots: %5.1f %% (%.0f of %.0f node-s)%n",
            100 * f.coveredShare(),
            f.coveredNodeSeconds(),
            f.idleNodeSeconds()));
    return sb.toString();
  }

  private static String joined(Map<String, ? extends Number> values) {
    StringBuilder sb = new StringBuilder();
    values.forEach(
        (k, v) -> sb.append(sb.length() == 0 ? "" : "  ").append(k).append(' ').append(v));
    return sb.toString();
  }
}
