package io.hpcwhisk.simulator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeReturnsTest {

  /**
   * The backfill's sweep takes nodes in the order this heap gives them back; it must be the order
   * of the {@code PriorityQueue} ordered by time that it replaced, ties included, or every schedule
   * would change.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void givesNodesBackInThePriorityQueuesOrderTiesIncluded(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = 200;
    SlurmBackfill.NodeReturns heap = new SlurmBackfill.NodeReturns(n);
    PriorityQueue<long[]> reference = new PriorityQueue<>(Comparator.comparingLong(a -> a[0]));
    List<Integer> free = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      free.add(i);
    }
    List<Integer> fromHeap = new ArrayList<>();
    List<Integer> fromReference = new ArrayList<>();
    for (int step = 0; step < 20_000; step++) {
      if (!free.isEmpty() && (reference.isEmpty() || random.nextInt(3) > 0)) {
        int node = free.remove(random.nextInt(free.size()));
        long time = random.nextInt(12) * 60L; // few distinct times: many ties
        heap.add(time, node);
        reference.add(new long[] {time, node});
      } else {
        long cutoff = random.nextInt(12) * 60L;
        while (!reference.isEmpty() && reference.peek()[0] <= cutoff) {
          assertThat(heap.isEmpty()).isFalse();
          assertThat(heap.peekTime()).isEqualTo(reference.peek()[0]);
          int node = heap.pollNode();
          fromHeap.add(node);
          fromReference.add((int) reference.poll()[1]);
          free.add(node);
        }
        assertThat(heap.isEmpty() || heap.peekTime() > cutoff).isTrue();
      }
    }
    assertThat(fromHeap).hasSizeGreaterThan(1000).isEqualTo(fromReference);
  }
}
