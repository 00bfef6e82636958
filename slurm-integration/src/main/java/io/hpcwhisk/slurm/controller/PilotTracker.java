package io.hpcwhisk.slurm.controller;

import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.Fleet;
import io.hpcwhisk.core.harvest.Pilot;
import io.hpcwhisk.core.harvest.PilotState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Follows our pilots from pass to pass: which ones appeared without us submitting them (adopted
 * after a restart), which ones ended and how (a pilot we cancelled because Slurm was preempting it
 * counts as preempted), and how many node-seconds running pilots held.
 */
final class PilotTracker {

  /**
   * How a pilot we had seen active ended; {@code vanished} when the scheduler forgot it before we
   * saw its end.
   */
  record Ended(JobId id, String how, Pilot last) {}

  /** What changed since the previous pass. */
  record Update(List<Pilot> adopted, List<Ended> ended, double harvestedSeconds) {}

  private final Map<JobId, Pilot> active = new HashMap<>();
  private final Map<JobId, Instant> countedUntil = new HashMap<>();
  private final Set<JobId> submitted = new HashSet<>();
  private final Set<JobId> expedited = new HashSet<>();
  private final Set<JobId> seen = new HashSet<>();
  private final Set<JobId> endedIds = new HashSet<>();

  void submitted(JobId id) {
    submitted.add(id);
    seen.add(id);
  }

  void expedited(JobId id) {
    expedited.add(id);
  }

  /** The pilots cancelled because Slurm was preempting them, while Slurm still reports them. */
  Set<JobId> expedited() {
    return Collections.unmodifiableSet(expedited);
  }

  Update update(Fleet fleet, Instant now) {
    List<Pilot> adopted = new ArrayList<>();
    List<Ended> ended = new ArrayList<>();
    double harvested = 0;
    Set<JobId> present = new HashSet<>();
    for (Pilot pilot : fleet.pilots()) {
      JobId id = pilot.id();
      present.add(id);
      if (pilot.state().active() || seen.contains(id)) {
        harvested +=
            harvestedSince(pilot, now); // pilots that ended before we started are not ours to count
      }
      if (pilot.state().active()) {
        if (seen.add(id) && !submitted.contains(id)) {
          adopted.add(pilot);
        }
        active.put(id, pilot);
      } else if (seen.contains(id) && endedIds.add(id)) {
        active.remove(id);
        ended.add(new Ended(id, how(pilot), pilot));
      }
    }
    for (JobId id : new ArrayList<>(active.keySet())) {
      if (!present.contains(id)) {
        Pilot last = active.remove(id);
        ended.add(new Ended(id, expedited.contains(id) ? "preempted" : "vanished", last));
      }
    }
    countedUntil.keySet().retainAll(present);
    endedIds.retainAll(present);
    seen.retainAll(present);
    submitted.retainAll(present);
    expedited.retainAll(present);
    return new Update(adopted, ended, harvested);
  }

  /** Node-seconds the pilot held since the last time it was counted. */
  private double harvestedSince(Pilot pilot, Instant now) {
    if (pilot.startTime().isEmpty() || pilot.state() == PilotState.PENDING) {
      return 0;
    }
    Instant start = pilot.startTime().get();
    Instant upTo = pilot.state() == PilotState.RUNNING ? now : pilot.endTime().orElse(now);
    if (upTo.isAfter(now)) {
      upTo = now;
    }
    Instant from = countedUntil.getOrDefault(pilot.id(), start);
    if (from.isBefore(start)) {
      from = start;
    }
    if (!upTo.isAfter(from)) {
      return 0;
    }
    countedUntil.put(pilot.id(), upTo);
    return Duration.between(from, upTo).toMillis() / 1000.0;
  }

  private String how(Pilot pilot) {
    if (pilot.state() == PilotState.CANCELLED && expedited.contains(pilot.id())) {
      return "preempted";
    }
    return pilot.state().name().toLowerCase(Locale.ROOT);
  }
}
