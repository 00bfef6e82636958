package io.hpcwhisk.simulator.batch;

import io.hpcwhisk.core.cluster.Job;
import io.hpcwhisk.core.cluster.JobId;
import io.hpcwhisk.core.cluster.JobState;
import io.hpcwhisk.core.harvest.Pilot;
import io.hpcwhisk.core.harvest.PilotShape;
import io.hpcwhisk.core.harvest.PilotState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One simulated pilot job, with the core records a controller would see for it (built once per
 * state).
 */
final class SimPilot {

  final JobId id;
  final PilotShape shape;
  final long submit;
  PilotState state = PilotState.PENDING;
  int node = -1;
  long start = -1;
  long limit;
  boolean ready;

  /** No longer active (ended, or cancelled while pending). */
  boolean gone;

  private Pilot pilot;
  private Job job;
  private String name;

  SimPilot(JobId id, PilotShape shape, long submit) {
    this.id = id;
    this.shape = shape;
    this.submit = submit;
  }

  Pilot pilot(Instant origin, TimeBase time, String[] nodeNames) {
    if (pilot == null) {
      Optional<Instant> submitted = Optional.of(time.at(origin, submit));
      pilot =
          state == PilotState.PENDING
              ? new Pilot(
                  id, shape, state, Optional.empty(), submitted, Optional.empty(), Optional.empty())
              : new Pilot(
                  id,
                  granted(time),
                  state,
                  Optional.of(nodeNames[node]),
                  submitted,
                  Optional.of(time.at(origin, start)),
                  Optional.of(time.at(origin, start + limit)));
    }
    return pilot;
  }

  /**
   * The shape as Slurm reports a started pilot, and so as the live controller's fleet has it: the
   * time limit it was granted ({@code --time-min} may have shrunk it), not the one asked for. With
   * the asked-for time a shrunk pilot would look as if Slurm had pulled its end in (being
   * preempted).
   */
  private PilotShape granted(TimeBase time) {
    Duration granted = time.duration(limit);
    if (granted.equals(shape.time())) {
      return shape;
    }
    return new PilotShape(
        shape.partition(),
        shape.qos(),
        granted,
        shape.timeMin().filter(m -> m.compareTo(granted) <= 0),
        shape.nice(),
        shape.targetNode());
  }

  Job job(Instant origin, TimeBase time, String[] nodeNames) {
    if (job == null) {
      if (name == null) {
        name = PilotHarvester.PILOT_PREFIX + id.value();
      }
      List<String> required = shape.targetNode().map(List::of).orElse(List.of());
      job =
          state == PilotState.PENDING
              ? new Job(
                  id,
                  name,
                  shape.partition(),
                  shape.qos(),
                  JobState.PENDING,
                  List.of(),
                  required,
                  Optional.of(time.at(origin, submit)),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.of(shape.time()),
                  shape.timeMin(),
                  shape.nice())
              : new Job(
                  id,
                  name,
                  shape.partition(),
                  shape.qos(),
                  JobState.RUNNING,
                  List.of(nodeNames[node]),
                  required,
                  Optional.of(time.at(origin, submit)),
                  Optional.of(time.at(origin, start)),
                  Optional.of(time.at(origin, start + limit)),
                  Optional.of(time.duration(limit)),
                  shape.timeMin(),
                  shape.nice());
    }
    return job;
  }

  /** Started on {@code onNode} at tick {@code at} with a limit of {@code ticks}. */
  void started(int onNode, long at, long ticks) {
    state = PilotState.RUNNING;
    node = onNode;
    start = at;
    limit = ticks;
    pilot = null;
    job = null;
  }
}
