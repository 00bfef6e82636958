package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.core.cluster.ClusterAccessException;
import io.hpcwhisk.core.cluster.ClusterObservation;
import io.hpcwhisk.core.cluster.ClusterSnapshot;
import io.hpcwhisk.core.cluster.ClusterView;
import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.PilotOwner;
import io.hpcwhisk.core.cluster.SnapshotBuilder;
import io.hpcwhisk.core.harvest.ControllerPass;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.Intent;
import io.hpcwhisk.core.harvest.LongActionDemand;
import io.hpcwhisk.core.harvest.PassPlan;
import io.hpcwhisk.core.harvest.PilotLauncher;
import io.hpcwhisk.core.time.Durations;
import io.hpcwhisk.slurm.SlurmAccessException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile pass of the harvest controller: observes Slurm through the {@link ClusterView},
 * builds the snapshot and the fleet (adopting pilots an earlier controller left), updates the
 * {@link PilotTracker}, asks core's {@link ControllerPass} for the intents and carries them out in
 * order (the first Slurm failure stops the pass) unless this is a dry run; a pass that cannot read
 * Slurm does nothing (docs/admin-guide.md §4), and a dry run prints the same intents every pass
 * since the fleet never changes.
 */
public final class ReconcilePass {

  private static final Logger LOG = LoggerFactory.getLogger(ReconcilePass.class);
  private static final Duration OUTAGE_LOG_EVERY = Duration.ofMinutes(1);

  private final ClusterView view;
  private final PilotLauncher launcher;
  private final SnapshotBuilder snapshots;
  private final ControllerPass decision;
  private final HarvestMetrics metrics;
  private final InstantSource clock;
  private final PilotOwner pilots;
  private final Set<JobId> impostorsSeen = new HashSet<>();
  private final boolean dryRun;
  private final PilotTracker tracker = new PilotTracker();
  private Optional<Instant> outageSince = Optional.empty();
  private Optional<SlurmAccessException.Reason> outageReason = Optional.empty();
  private Instant outageLogged = Instant.EPOCH;
  private int failedPasses;
  private Optional<FreedNodeHolds> freedNodeHolds = Optional.empty();
  private volatile Supplier<LongActionDemand.Demand> demand = () -> LongActionDemand.Demand.NONE;
  private String lastDemandReason = "";
  private ClusterObservation previous;
  private volatile boolean changed = true;

  ReconcilePass(
      ClusterView view,
      PilotLauncher launcher,
      SnapshotBuilder snapshots,
      ControllerPass decision,
      HarvestMetrics metrics,
      InstantSource clock,
      PilotOwner pilots,
      boolean dryRun) {
    this.view = view;
    this.launcher = launcher;
    this.snapshots = snapshots;
    this.decision = decision;
    this.metrics = metrics;
    this.clock = clock;
    this.pilots = pilots;
    this.dryRun = dryRun;
  }

  /**
   * Jobs named like our pilots but owned by another user: never counted, held, released or
   * cancelled; logged once per job.
   */
  private void reportImpostors(ClusterObservation observation) {
    for (Job job : observation.jobs()) {
      if (job.state().active() && pilots.impersonates(job) && impostorsSeen.add(job.id())) {
        LOG.warn(
            "job {} of user {} is named like a pilot ({}) but is not ours: ignored",
            job.id(),
            job.user().orElse("?"),
            job.name());
      }
    }
    if (impostorsSeen.size() > 10_000) {
      impostorsSeen.clear();
    }
  }

  /** Turns on {@code harvest.hold-freed-nodes} for this pass's controller. */
  ReconcilePass holdingFreedNodes(FreedNodeHolds holds) {
    this.freedNodeHolds = Optional.of(holds);
    return this;
  }

  /**
   * Feeds the balancer's queue to each pass ({@link io.hpcwhisk.core.harvest.LongActionDemand}): a
   * long action waiting makes the pass offer a pilot long enough for it.
   */
  ReconcilePass withDemand(Supplier<LongActionDemand.Demand> source) {
    this.demand = Objects.requireNonNull(source, "source");
    return this;
  }

  /**
   * Whether the last pass saw Slurm's nodes or jobs change (or Slurm answer again after an outage),
   * or acted, or failed to act (the controller's {@link io.hpcwhisk.core.harvest.PassPacing} then
   * returns to the fast interval).
   */
  public boolean lastPassChanged() {
    return changed;
  }

  HarvestMetrics metrics() {
    return metrics;
  }

  /** Runs one pass; never throws for Slurm trouble (it is reported instead). */
  public synchronized PassReport run() {
    ClusterObservation observation;
    try {
      observation = view.observe();
    } catch (ClusterAccessException e) {
      changed = false; // a Slurm that does not answer is asked less often, not more
      return outage(e);
    }
    // the views hand back the same lists when Slurm's answer did not change: equals is then cheap
    changed =
        previous == null
            || outageSince.isPresent()
            || !observation.nodes().equals(previous.nodes())
            || !observation.jobs().equals(previous.jobs());
    previous = observation;
    if (outageSince.isPresent()) {
      LOG.info(
          "Slurm reachable again after {} failed pass(es) since {}",
          failedPasses,
          outageSince.get());
      outageSince = Optional.empty();
      outageReason = Optional.empty();
      failedPasses = 0;
    }
    ClusterSnapshot snapshot = snapshots.build(observation);
    Fleet fleet = Fleet.fromJobs(observation.jobs(), pilots);
    reportImpostors(observation);
    PilotTracker.Update update = tracker.update(fleet, snapshot.now());
    update
        .adopted()
        .forEach(
            p ->
                LOG.info(
                    "adopted pilot {} ({}, {}) left by an earlier controller",
                    p.id(),
                    p.shape(),
                    p.state()));
    update
        .ended()
        .forEach(
            e -> {
              Optional<Duration> handOver = e.last().handOver();
              if (handOver.isPresent()) {
                LOG.info(
                    "pilot {} ended: {}, {} s after Slurm preempted it",
                    e.id(),
                    e.how(),
                    handOver.get().toSeconds());
                metrics.handedOver(handOver.get());
              } else {
                LOG.info("pilot {} ended: {}", e.id(), e.how());
              }
              metrics.ended(e.how());
            });
    metrics.harvested(update.harvestedSeconds());
    metrics.observed(snapshot, fleet);
    metrics.pass(true);

    ControllerPass.DemandPlan withDemand =
        decision.plan(snapshot, fleet, tracker.expedited(), demand.get());
    if (!withDemand.demandReason().equals(lastDemandReason)) {
      LOG.info("demand: {}", withDemand.demandReason());
      lastDemandReason = withDemand.demandReason();
    }
    PassPlan plan = withDemand.plan();
    List<Intent> intents = plan.decided();
    List<Intent> toCarryOut = plan.toCarryOut();
    if (freedNodeHolds.isPresent()) {
      try {
        toCarryOut = freedNodeHolds.get().apply(snapshot, fleet, toCarryOut, dryRun);
      } catch (ClusterAccessException e) {
        metrics.slurmError(SlurmAccessException.reasonOf(e));
        LOG.warn("could not hold or release pending pilots: {}", e.getMessage());
      }
    }
    int executed = 0;
    List<String> errors = new ArrayList<>();
    if (dryRun) {
      intents.forEach(i -> LOG.debug("dry run: {}", i));
    } else {
      executed = execute(toCarryOut, errors);
    }
    if (executed > 0 || !errors.isEmpty()) {
      changed = true;
    }
    PassReport report =
        new PassReport(
            snapshot.now(),
            Optional.empty(),
            snapshot.harvestableNodes().size(),
            (int) snapshot.boundedWindowCount(),
            fleet.pending().size(),
            fleet.running().size(),
            intents,
            executed,
            errors);
    if (!intents.isEmpty() || !errors.isEmpty()) {
      LOG.debug("pass: {}", report.summary());
    }
    return report;
  }

  private int execute(List<Intent> intents, List<String> errors) {
    int executed = 0;
    for (Intent intent : intents) {
      try {
        if (intent instanceof Intent.SubmitPilot submit) {
          JobId id = launcher.submit(submit.shape());
          tracker.submitted(id);
          LOG.info("submitted pilot {} ({}): {}", id, submit.shape(), submit.reason());
        } else if (intent instanceof Intent.CancelPilot cancel) {
          launcher.cancel(cancel.jobId());
          if (cancel.cause() == Intent.Cause.PREEMPTING) {
            tracker.expedited(cancel.jobId());
          }
          LOG.info("cancelled pilot {}: {}", cancel.jobId(), cancel.reason());
        }
        metrics.executed(intent);
        executed++;
      } catch (ClusterAccessException e) {
        metrics.slurmError(SlurmAccessException.reasonOf(e));
        errors.add(e.getMessage());
        LOG.warn(
            "could not carry out '{}': {}; the rest of this pass is skipped",
            intent,
            e.getMessage());
        break;
      }
    }
    return executed;
  }

  private PassReport outage(ClusterAccessException e) {
    Instant now = clock.instant();
    SlurmAccessException.Reason reason = SlurmAccessException.reasonOf(e);
    metrics.pass(false);
    metrics.slurmError(reason);
    failedPasses++;
    if (outageSince.isEmpty()) {
      outageSince = Optional.of(now);
      outageReason = Optional.of(reason);
      outageLogged = now;
      LOG.warn(
          "Slurm unreachable ({}), harvesting paused (pilots already running are left alone,"
              + " nothing is submitted or cancelled until Slurm answers): {}",
          reason.tag(),
          e.getMessage());
    } else if (!outageReason.equals(Optional.of(reason))) {
      outageReason = Optional.of(reason);
      outageLogged = now;
      LOG.warn(
          "Slurm still unreachable, now for another reason ({}): {}", reason.tag(), e.getMessage());
    } else if (Duration.between(outageLogged, now).compareTo(OUTAGE_LOG_EVERY) >= 0) {
      outageLogged = now;
      LOG.warn(
          "Slurm still unreachable after {} failed pass(es) over {}: {}",
          failedPasses,
          Durations.format(Duration.between(outageSince.get(), now).withNanos(0)),
          e.getMessage());
    }
    return PassReport.failed(now, e.getMessage());
  }
}
