package io.hpcwhisk.bench.harvest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Idle node-time, the part pilots held, and where the rest went, computed from the start and end
 * times Slurm reports for every job rather than from samples (see {@link #account}).
 */
public final class IdleAccounting {

  /** Where uncovered idle node-time went. */
  public enum Loss {
    HANDOVER(
        "idle periods under 5 s, no pilot (the scheduler handing the node from one batch job to the"
            + " next)"),
    SHORT_IDLE("idle periods of 5 s up to the minimum pilot, no pilot"),
    NO_PILOT("idle periods long enough, but no pilot at all"),
    START_LATENCY(
        "node idle until the first pilot started (controller interval + sbatch + scheduler pass)"),
    BETWEEN_PILOTS("between two pilots (one ended, the next started later)"),
    AFTER_LAST_PILOT(
        "after the last pilot ended, node still idle (time limit shorter than the gap)");

    private final String text;

    Loss(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** One job's run on its nodes: {@code end} is the run's end when it was still running. */
  public record Run(String node, boolean pilot, Instant start, Instant end) {}

  /** The totals of one scenario, in node-seconds. */
  public record Totals(double idle, double covered, Map<Loss, Double> lost, int idlePeriods) {

    public Totals {
      lost = Map.copyOf(lost);
    }

    public double share() {
      return idle == 0 ? 0 : covered / idle;
    }

    public double lost(Loss loss) {
      return lost.getOrDefault(loss, 0.0);
    }
  }

  /** Idle periods shorter than this without a pilot count as {@link Loss#HANDOVER}. */
  static final long HANDOVER_MILLIS = 5000;

  private IdleAccounting() {}

  /**
   * Accounts the span [{@code from}, {@code to}) over {@code nodes} given every job run seen.
   *
   * <p>Per node, the idle intervals are the span minus the union of batch jobs' [start, end);
   * covered is their intersection with the union of pilots' [start, end). Every uncovered stretch
   * gets one {@link Loss}: with no pilot at all in the idle interval, by its length (under 5 s: a
   * batch hand-over; shorter than {@code minPilot}: no pilot could have fitted; longer: none came);
   * otherwise by where it lies — before the first pilot started (start latency), between two
   * pilots, or after the last pilot ended while the node stayed idle. Slurm's times are whole
   * seconds, so every boundary carries up to 1 s of rounding; a preempted pilot's node counts as
   * covered until the pilot is gone, as in the sampled measure. Example: n1 runs batch until 10 s,
   * idle until 200 s, pilots 12–130 s and 131–190 s: idle 190 s, covered 177 s, lost 2 s start
   * latency, 1 s between pilots, 10 s after the last pilot.
   */
  public static Totals account(
      Collection<String> nodes, Collection<Run> runs, Instant from, Instant to, Duration minPilot) {
    Map<String, List<long[]>> batch = new TreeMap<>();
    Map<String, List<long[]>> pilots = new TreeMap<>();
    long a = from.toEpochMilli();
    long b = to.toEpochMilli();
    for (Run run : runs) {
      long s = Math.max(a, run.start().toEpochMilli());
      long e = Math.min(b, run.end().toEpochMilli());
      if (e > s) {
        (run.pilot() ? pilots : batch)
            .computeIfAbsent(run.node(), n -> new ArrayList<>())
            .add(new long[] {s, e});
      }
    }
    double idle = 0;
    double covered = 0;
    int periods = 0;
    Map<Loss, Double> lost = new EnumMap<>(Loss.class);
    for (String node : nodes) {
      List<long[]> busy = union(batch.getOrDefault(node, List.of()));
      List<long[]> held = union(pilots.getOrDefault(node, List.of()));
      for (long[] gap : complement(busy, a, b)) {
        periods++;
        idle += (gap[1] - gap[0]) / 1000.0;
        List<long[]> inside = new ArrayList<>();
        for (long[] p : held) {
          long s = Math.max(gap[0], p[0]);
          long e = Math.min(gap[1], p[1]);
          if (e > s) {
            inside.add(new long[] {s, e});
          }
        }
        if (inside.isEmpty()) {
          long length = gap[1] - gap[0];
          Loss why =
              length < HANDOVER_MILLIS
                  ? Loss.HANDOVER
                  : length < minPilot.toMillis() ? Loss.SHORT_IDLE : Loss.NO_PILOT;
          lost.merge(why, (gap[1] - gap[0]) / 1000.0, Double::sum);
          continue;
        }
        long cursor = gap[0];
        for (long[] p : inside) {
          covered += (p[1] - p[0]) / 1000.0;
          if (p[0] > cursor) {
            lost.merge(
                cursor == gap[0] ? Loss.START_LATENCY : Loss.BETWEEN_PILOTS,
                (p[0] - cursor) / 1000.0,
                Double::sum);
          }
          cursor = p[1];
        }
        if (gap[1] > cursor) {
          lost.merge(Loss.AFTER_LAST_PILOT, (gap[1] - cursor) / 1000.0, Double::sum);
        }
      }
    }
    return new Totals(idle, covered, lost, periods);
  }

  private static List<long[]> union(List<long[]> intervals) {
    List<long[]> sorted = new ArrayList<>(intervals);
    sorted.sort(Comparator.comparingLong((long[] i) -> i[0]));
    List<long[]> out = new ArrayList<>();
    for (long[] i : sorted) {
      if (!out.isEmpty() && i[0] <= out.get(out.size() - 1)[1]) {
        out.get(out.size() - 1)[1] = Math.max(out.get(out.size() - 1)[1], i[1]);
      } else {
        out.add(new long[] {i[0], i[1]});
      }
    }
    return out;
  }

  private static List<long[]> complement(List<long[]> busy, long from, long to) {
    List<long[]> out = new ArrayList<>();
    long cursor = from;
    for (long[] i : busy) {
      if (i[0] > cursor) {
        out.add(new long[] {cursor, i[0]});
      }
      cursor = Math.max(cursor, i[1]);
    }
    if (to > cursor) {
      out.add(new long[] {cursor, to});
    }
    return out;
  }
}
