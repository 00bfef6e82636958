package io.hpcwhisk.core.harvest;

import java.util.Arrays;

/**
 * A multiset of epoch seconds (how many open gaps started at each second), for {@link
 * GapLengthEstimator}: two parallel arrays sorted by second. Gaps open at the clock's current
 * second, so an addition is almost always an append or an increment of the last entry; a removal is
 * a binary search and a decrement, and entries that fall to zero are dropped in bulk once they are
 * half the array. No boxing and no tree nodes, unlike a {@code TreeMap<Long, Integer>}, which cost
 * ~10 % of a large simulation's time.
 */
final class SecondCounts {

  private long[] seconds = new long[16];
  private int[] counts = new int[16];
  private int size;
  private int zeros;

  /** Adds {@code n} (≥ 1) at {@code second}. */
  void add(long second, int n) {
    if (size > 0 && seconds[size - 1] == second) {
      if (counts[size - 1] == 0) {
        zeros--;
      }
      counts[size - 1] += n;
      return;
    }
    int at =
        size == 0 || seconds[size - 1] < second
            ? size
            : Arrays.binarySearch(seconds, 0, size, second);
    if (at >= 0 && at < size) {
      if (counts[at] == 0) {
        zeros--;
      }
      counts[at] += n;
      return;
    }
    int insert = at >= 0 ? at : -at - 1;
    if (size == seconds.length) {
      seconds = Arrays.copyOf(seconds, size * 2);
      counts = Arrays.copyOf(counts, size * 2);
    }
    System.arraycopy(seconds, insert, seconds, insert + 1, size - insert);
    System.arraycopy(counts, insert, counts, insert + 1, size - insert);
    seconds[insert] = second;
    counts[insert] = n;
    size++;
  }

  /** Removes one at {@code second}; a second that holds none is ignored. */
  void removeOne(long second) {
    int at = Arrays.binarySearch(seconds, 0, size, second);
    if (at < 0 || counts[at] == 0) {
      return;
    }
    if (--counts[at] == 0 && ++zeros > size / 2) {
      compact();
    }
  }

  private void compact() {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (counts[i] > 0) {
        seconds[kept] = seconds[i];
        counts[kept] = counts[i];
        kept++;
      }
    }
    size = kept;
    zeros = 0;
  }

  /** Distinct seconds held (an upper bound: entries at zero may still be counted). */
  int distinctUpperBound() {
    return size;
  }

  /**
   * Entry positions run 0 … {@link #distinctUpperBound()} − 1 in ascending second; skip those with
   * count 0.
   */
  long second(int position) {
    return seconds[position];
  }

  int count(int position) {
    return counts[position];
  }
}
