package io.hpcwhisk.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A burst from one namespace does not starve another's calls: 1,000 queued activations of a hostile
 * namespace, then one of another namespace; when two slots free up, the other namespace's call is
 * one of the two served, not the 1,001st.
 */
class FairQueueBurstTest {

  record Call(String namespace, int n) {}

  @Test
  void aBurstFromOneNamespaceDoesNotStarveAnother() {
    FairQueue<Call> queue = new FairQueue<>(10_000, Call::namespace);
    for (int i = 0; i < 1000; i++) {
      assertThat(queue.offer(new Call("burst", i))).isTrue();
    }
    queue.offer(new Call("other", 0));
    List<Call> served = new ArrayList<>();
    queue.drain(c -> served.size() < 2 && served.add(c));
    assertThat(served).containsExactly(new Call("burst", 0), new Call("other", 0));
    assertThat(queue.size()).isEqualTo(999);
  }

  @Test
  void forEachVisitsEveryWaitingCallOnce() {
    FairQueue<Call> queue = new FairQueue<>(10, Call::namespace);
    queue.offer(new Call("a", 1));
    queue.offer(new Call("b", 2));
    queue.offer(new Call("a", 3));
    List<Integer> seen = new ArrayList<>();
    queue.forEach(c -> seen.add(c.n()));
    assertThat(seen).containsExactlyInAnyOrder(1, 2, 3);
  }
}
