package io.hpcwhisk.core.harvest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SecondCountsTest {

  @Test
  void appendsIncrementsInsertsAndSkipsZeros() {
    SecondCounts c = new SecondCounts();
    c.add(10, 2);
    c.add(10, 1);
    c.add(30, 1);
    c.add(20, 4); // out of order: inserted
    c.removeOne(10);
    c.removeOne(30); // 30 falls to zero
    c.removeOne(99); // absent: ignored
    assertThat(contents(c)).isEqualTo(Map.of(10L, 2, 20L, 4));
  }

  /**
   * Any sequence of additions and removals holds what a {@code TreeMap<Long, Integer>} holds, in
   * order.
   */
  @Property(tries = 200)
  void behavesLikeASortedMultiset(
      @ForAll @Size(max = 300) List<@IntRange(min = -40, max = 40) Integer> ops) {
    SecondCounts c = new SecondCounts();
    TreeMap<Long, Integer> expected = new TreeMap<>();
    long clock = 0;
    for (int op : ops) {
      if (op >= 0) {
        clock += op % 3; // mostly the same or a later second, as the estimator's clock
        long second = op % 7 == 0 ? clock - op : clock; // sometimes an earlier second
        int n = 1 + op % 4;
        c.add(second, n);
        expected.merge(second, n, Integer::sum);
      } else {
        long second = clock + op / 2;
        c.removeOne(second);
        expected.computeIfPresent(second, (k, v) -> v == 1 ? null : v - 1);
      }
      assertThat(contents(c)).isEqualTo(expected);
    }
  }

  private static Map<Long, Integer> contents(SecondCounts c) {
    TreeMap<Long, Integer> out = new TreeMap<>();
    List<Long> order = new ArrayList<>();
    for (int i = 0; i < c.distinctUpperBound(); i++) {
      if (c.count(i) > 0) {
        out.put(c.second(i), c.count(i));
        order.add(c.second(i));
      }
    }
    assertThat(order).as("ascending").isSorted().doesNotHaveDuplicates();
    return out;
  }
}
