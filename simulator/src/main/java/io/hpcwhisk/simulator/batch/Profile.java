package io.hpcwhisk.simulator.batch;

import java.util.Arrays;

/**
 * The availability profile of the backfill planner: a step function of how many nodes batch jobs
 * could use from each time on. Segment i holds {@code free[i]} nodes over {@code [time[i],
 * time[i+1])}; the last one extends to infinity.
 *
 * <p><b>Algorithm.</b> Built from now (the nodes usable now) plus the planned ends of running jobs,
 * in ascending order. {@link #earliest} scans segments for the first start at which {@code k} nodes
 * stay free for the whole duration, skipping past any segment that breaks the run; {@link #reserve}
 * splits at the interval's ends and subtracts. Both are O(segments).
 *
 * <p><b>Example.</b> 4 nodes, 1 free now, a 2-node job planned to end at 100 and a 1-node job at
 * 50: segments (now,1) (50,2) (100,4). A 3-node job of 60 s gets 100; after reserving it: (now,1)
 * (50,2) (100,1) (160,4).
 *
 * <p><b>Known caveats.</b> Counts only: which nodes a reservation gets is decided afterwards
 * ({@link BatchSimulation}), which is always possible for whole-node jobs fixed in time.
 */
final class Profile {

  private long[] time = new long[64];
  private int[] free = new int[64];
  private int size;

  void reset(long now, int freeNow) {
    size = 1;
    time[0] = now;
    free[0] = freeNow;
  }

  /** Adds nodes released at {@code at}; calls must come in non-decreasing {@code at}. */
  void release(long at, int nodes) {
    if (at <= time[size - 1]) {
      free[size - 1] += nodes;
      return;
    }
    grow();
    time[size] = at;
    free[size] = free[size - 1] + nodes;
    size++;
  }

  /** Adds nodes released at {@code at}, in any order (O(segments)). */
  void releaseAnyOrder(long at, int nodes) {
    int from = at <= time[0] ? 0 : split(at);
    for (int i = from; i < size; i++) {
      free[i] += nodes;
    }
  }

  /**
   * The earliest start at or after now, at most {@code latest}, with {@code k} nodes free for
   * {@code duration}; -1 if none.
   */
  long earliest(int k, long duration, long latest) {
    int i = 0;
    while (i < size && time[i] <= latest) {
      if (free[i] < k) {
        i++;
        continue;
      }
      long end = time[i] + duration;
      int j = i + 1;
      while (j < size && time[j] < end && free[j] >= k) {
        j++;
      }
      if (j >= size || time[j] >= end) {
        return time[i];
      }
      i = j + 1;
    }
    return -1;
  }

  /** Takes {@code k} nodes over {@code [start, start + duration)}. */
  void reserve(long start, long duration, int k) {
    int from = split(start);
    int to = split(start + duration);
    for (int i = from; i < to; i++) {
      free[i] -= k;
    }
  }

  /** Free nodes at time {@code at}. */
  int freeAt(long at) {
    int i = Arrays.binarySearch(time, 0, size, at);
    return free[i >= 0 ? i : Math.max(0, -i - 2)];
  }

  int segments() {
    return size;
  }

  /** Ensures a breakpoint at {@code at} (at or after the first) and returns its index. */
  private int split(long at) {
    int i = Arrays.binarySearch(time, 0, size, at);
    if (i >= 0) {
      return i;
    }
    int insert = -i - 1;
    grow();
    System.arraycopy(time, insert, time, insert + 1, size - insert);
    System.arraycopy(free, insert, free, insert + 1, size - insert);
    time[insert] = at;
    free[insert] = free[insert - 1];
    size++;
    return insert;
  }

  private void grow() {
    if (size == time.length) {
      time = Arrays.copyOf(time, size * 2);
      free = Arrays.copyOf(free, size * 2);
    }
  }
}
