package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.cluster.Node;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.core.harvest.BackfillTiming;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.PendingPilotGate;
import io.hpcwhisk.core.harvest.Pilot;
import io.hpcwhisk.slurm.cli.BackfillTimings;
import io.hpcwhisk.slurm.cli.SlurmCli;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live side of {@code harvest.hold-freed-nodes}: remembers when a batch job gave each harvest
 * node back (a node busy without a pilot of ours in one pass, free in the next), reads Slurm's
 * backfill timing ({@code bf_interval} once from {@code scontrol show config}, the last cycle every
 * pass from {@code sdiag}), asks core's {@link PendingPilotGate}, and carries the gate out: {@code
 * scontrol hold} on our pending pilots while it is closed (submissions of the pass dropped), {@code
 * scontrol release} of the pilots it held once it opens. It touches only pilots it held itself.
 */
final class FreedNodeHolds {

  private static final Logger LOG = LoggerFactory.getLogger(FreedNodeHolds.class);

  private final SlurmCli cli;
  private final PilotOwner pilots;
  private Duration bfInterval;
  private final Map<String, Instant> freedAt = new HashMap<>();
  private Set<String> busyWithBatch = Set.of();
  private final Set<JobId> heldByUs = new LinkedHashSet<>();
  private Boolean lastOpen;
  private boolean sdiagFailed;

  FreedNodeHolds(SlurmCli cli, PilotOwner pilots) {
    this.cli = cli;
    this.pilots = pilots;
  }

  /** The intents to carry out this pass; holds or releases pending pilots unless {@code dryRun}. */
  List<Intent> apply(ClusterSnapshot snapshot, Fleet fleet, List<Intent> intents, boolean dryRun) {
    Instant now = snapshot.now();
    Set<String> pilotNodes = new HashSet<>();
    for (Pilot p : fleet.running()) {
      p.node().ifPresent(pilotNodes::add);
    }
    Set<String> busy = new HashSet<>();
    List<PendingPilotGate.FreeNode> free = new ArrayList<>();
    for (Node node : snapshot.nodes()) {
      boolean ours = pilotNodes.contains(node.name());
      if (node.state().harvestable()) {
        if (busyWithBatch.contains(node.name())) {
          freedAt.put(node.name(), now);
        }
        free.add(
            new PendingPilotGate.FreeNode(
                node.name(), Optional.ofNullable(freedAt.get(node.name())), ours));
      } else if (!ours) {
        busy.add(node.name());
      }
    }
    busyWithBatch = busy;
    boolean batchPending = false;
    for (Job job : snapshot.jobs()) {
      if (job.state() == JobState.PENDING && !pilots.owns(job)) {
        batchPending = true;
        break;
      }
    }
    PendingPilotGate.Gate gate = PendingPilotGate.decide(now, batchPending, timing(), free);
    if (lastOpen == null || lastOpen != gate.open()) {
      LOG.info("pending pilots {}: {}", gate.open() ? "may start" : "held", gate.reason());
      lastOpen = gate.open();
    }
    Set<JobId> pending = new HashSet<>();
    for (Pilot p : fleet.pending()) {
      pending.add(p.id());
    }
    heldByUs.retainAll(pending);
    if (!dryRun) {
      if (gate.open()) {
        if (!heldByUs.isEmpty()) {
          cli.release(List.copyOf(heldByUs));
          heldByUs.clear();
        }
      } else {
        List<JobId> toHold = new ArrayList<>();
        for (JobId id : pending) {
          if (!heldByUs.contains(id)) {
            toHold.add(id);
          }
        }
        if (!toHold.isEmpty()) {
          cli.hold(toHold);
          heldByUs.addAll(toHold);
        }
      }
    }
    List<Intent> kept = PendingPilotGate.filter(intents, gate);
    if (kept.size() != intents.size()) {
      LOG.debug("{} submission(s) deferred: {}", intents.size() - kept.size(), gate.reason());
    }
    return kept;
  }

  private BackfillTiming timing() {
    if (bfInterval == null) {
      try {
        bfInterval = BackfillTimings.bfInterval(cli.showConfig());
      } catch (RuntimeException e) {
        bfInterval = BackfillTiming.DEFAULT_INTERVAL;
        LOG.warn(
            "cannot read bf_interval from scontrol show config ({}); assuming Slurm's default {}",
            e.getMessage(),
            bfInterval);
      }
    }
    Optional<Instant> last = Optional.empty();
    try {
      last = BackfillTimings.lastBackfillFromSdiag(cli.sdiag());
      sdiagFailed = false;
    } catch (RuntimeException e) {
      if (!sdiagFailed) {
        LOG.warn(
            "cannot read the last backfill cycle from sdiag ({}); holding freed nodes one"
                + " bf_interval",
            e.getMessage());
        sdiagFailed = true;
      }
    }
    return new BackfillTiming(bfInterval, last);
  }
}
