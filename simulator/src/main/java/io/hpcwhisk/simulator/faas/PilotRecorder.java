package io.hpcwhisk.simulator.faas;

import io.hpcwhisk.simulator.batch.JobSpec;
import io.hpcwhisk.simulator.batch.SimulationListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records each pilot's life during a batch run (as a {@link SimulationListener}) for the FaaS replay: start, ready,
 * deadline, when it stopped taking work and when it left. Holds one small record per pilot.
 */
public final class PilotRecorder implements SimulationListener {

  private final long drainSeconds;
  private final Map<String, long[]> open = new HashMap<>();
  private final List<PilotInterval> intervals = new ArrayList<>();
  private final SimulationListener next;

  public PilotRecorder(long drainSeconds, SimulationListener next) {
    this.drainSeconds = drainSeconds;
    this.next = next == null ? new SimulationListener() {} : next;
  }

  @Override
  public void pilotStarted(String pilotId, int node, long time, long limit, long readyAt, long windowEnd) {
    open.put(pilotId, new long[] {time, readyAt, time + limit});
    next.pilotStarted(pilotId, node, time, limit, readyAt, windowEnd);
  }

  @Override
  public void pilotStopping(String pilotId, int node, long time, boolean preempted) {
    long[] p = open.remove(pilotId);
    if (p != null) {
      long gone = preempted ? time + drainSeconds : time;
      intervals.add(new PilotInterval(pilotId, p[0] * 1000, p[1] == Long.MAX_VALUE ? Long.MAX_VALUE : p[1] * 1000,
          p[2] * 1000, time * 1000, gone * 1000));
    }
    next.pilotStopping(pilotId, node, time, preempted);
  }

  @Override
  public void jobStarted(JobSpec job, long time, int[] nodes) {
    next.jobStarted(job, time, nodes);
  }

  @Override
  public void jobEnded(JobSpec job, long time, int[] nodes) {
    next.jobEnded(job, time, nodes);
  }

  @Override
  public void reserved(JobSpec job, long time) {
    next.reserved(job, time);
  }

  /** The recorded pilots; those still running at {@code endSeconds} are closed there. */
  public List<PilotInterval> intervals(long endSeconds) {
    List<PilotInterval> out = new ArrayList<>(intervals);
    for (Map.Entry<String, long[]> e : open.entrySet()) {
      long[] p = e.getValue();
      out.add(new PilotInterval(e.getKey(), p[0] * 1000, p[1] == Long.MAX_VALUE ? Long.MAX_VALUE : p[1] * 1000,
          p[2] * 1000, endSeconds * 1000, endSeconds * 1000));
    }
    out.sort(java.util.Comparator.comparingLong(PilotInterval::startMs));
    return out;
  }
}
