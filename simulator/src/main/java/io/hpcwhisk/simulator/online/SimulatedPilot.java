package io.hpcwhisk.simulator.online;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.harvest.PilotShape;
import java.util.Objects;

/**
 * One pilot in the simulated cluster, mutable as it moves from pending to running to ended. Times
 * are unix seconds as doubles (the log is sampled in whole seconds; warm-up and limits may be
 * fractional).
 */
final class SimulatedPilot {

  /** Why a pilot ended. */
  enum End {
    TIMED_OUT,
    PREEMPTED,
    CANCELLED,
    REPLAY_END
  }

  final JobId id;
  final PilotShape shape;
  final double submitTime;
  int node = -1;
  double startTime = Double.NaN;
  double readyTime = Double.NaN;
  double endTime = Double.NaN;
  End end;

  /** The job as the controller sees it in its current state, cached by {@link ControllerView}. */
  Job job;

  SimulatedPilot(JobId id, PilotShape shape, double submitTime) {
    this.id = Objects.requireNonNull(id, "id");
    this.shape = Objects.requireNonNull(shape, "shape");
    this.submitTime = submitTime;
  }

  boolean running() {
    return node >= 0 && end == null;
  }

  /** The time limit in seconds (windows are unbounded, so Slurm grants the full {@code --time}). */
  double limitSeconds() {
    return shape.time().toMillis() / 1000.0;
  }

  /** When the time limit ends the pilot. */
  double limitEnd() {
    return startTime + limitSeconds();
  }

  boolean readyAt(double time) {
    return running() && readyTime <= time;
  }
}
