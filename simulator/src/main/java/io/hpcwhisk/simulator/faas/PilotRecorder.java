package io.hpcwhisk.simulator.faas;

import io.hpcwhisk.simulator.batch.JobSpec;
import io.hpcwhisk.simulator.batch.SimulationListener;
import io.hpcwhisk.simulator.batch.TimeBase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records each pilot's life during a batch run (as a {@link SimulationListener}) for the FaaS
 * replay: start, ready, deadline, when it stopped taking work and when it left. Holds one small
 * record per pilot.
 */
public final class PilotRecorder implements SimulationListener {

  private final long drainTicks;
  private final TimeBase time;
  private final Map<String, long[]> open = new HashMap<>();
  private final List<PilotInterval> intervals = new ArrayList<>();
  private final SimulationListener next;

  /**
   * Records in milliseconds a run whose times are ticks of {@code time}, with a drain of {@code
   * drainTicks}.
   */
  public PilotRecorder(long drainTicks, TimeBase time, SimulationListener next) {
    this.drainTicks = drainTicks;
    this.time = time;
    this.next = next == null ? new SimulationListener() {} : next;
  }

  @Override
  public void pilotStarted(
      String pilotId, int node, long time, long limit, long readyAt, long windowEnd) {
    open.put(pilotId, new long[] {time, readyAt, time + limit});
    next.pilotStarted(pilotId, node, time, limit, readyAt, windowEnd);
  }

  @Override
  public void pilotStopping(String pilotId, int node, long at, boolean preempted) {
    long[] p = open.remove(pilotId);
    if (p != null) {
      long gone = preempted ? at + drainTicks : at;
      intervals.add(
          new PilotInterval(
              pilotId,
              ms(p[0]),
              p[1] == Long.MAX_VALUE ? Long.MAX_VALUE : ms(p[1]),
              ms(p[2]),
              ms(at),
              ms(gone)));
    }
    next.pilotStopping(pilotId, node, at, preempted);
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

  /**
   * The recorded pilots, in milliseconds; those still running at tick {@code end} are closed there.
   */
  public List<PilotInterval> intervals(long end) {
    List<PilotInterval> out = new ArrayList<>(intervals);
    for (Map.Entry<String, long[]> e : open.entrySet()) {
      long[] p = e.getValue();
      out.add(
          new PilotInterval(
              e.getKey(),
              ms(p[0]),
              p[1] == Long.MAX_VALUE ? Long.MAX_VALUE : ms(p[1]),
              ms(p[2]),
              ms(end),
              ms(end)));
    }
    out.sort(Comparator.comparingLong(PilotInterval::startMs));
    return out;
  }

  private long ms(long ticks) {
    return time.millis(ticks);
  }
}
