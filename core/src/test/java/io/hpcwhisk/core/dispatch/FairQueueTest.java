package io.hpcwhisk.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairQueueTest {

  private final FairQueue<String> queue = new FairQueue<>(5, s -> s.substring(0, 1));

  @Test
  void servesNamespacesRoundRobinAndFifoWithin() {
    List.of("a1", "a2", "a3", "b1", "c1").forEach(queue::offer);
    List<String> order = new ArrayList<>();
    queue.drain(order::add);
    assertThat(order).containsExactly("a1", "b1", "c1", "a2", "a3");
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void isBoundedButTakesBackRedispatchesAtTheHead() {
    List.of("a1", "a2", "a3", "a4", "a5").forEach(queue::offer);
    assertThat(queue.offer("b1")).isFalse();
    queue.offerFirst("a0");
    assertThat(queue.size()).isEqualTo(6);
    List<String> order = new ArrayList<>();
    queue.drain(s -> order.add(s) && order.size() <= 1);
    assertThat(order).containsExactly("a0", "a1");
  }

  @Test
  void aNamespaceWhoseHeadCannotBePlacedDoesNotBlockOthers() {
    List.of("a1", "a2", "b1").forEach(queue::offer);
    List<String> placed = new ArrayList<>();
    queue.drain(s -> s.startsWith("b") && placed.add(s));
    assertThat(placed).containsExactly("b1");
    assertThat(queue.size()).isEqualTo(2);
    assertThat(queue.removeIf(s -> s.equals("a2"))).containsExactly("a2");
    assertThat(queue.size()).isEqualTo(1);
  }
}
