package io.hpcwhisk.balancer.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerLossTest {

  @Test
  void aRetrySafeActivationClaimedFewerThanMaxAttemptsTimesIsQueuedAgain() {
    assertThat(ServerLoss.decide(true, 1, 3, "b", 6000)).isEmpty();
    assertThat(ServerLoss.decide(true, 2, 3, "b", 6000)).isEmpty();
  }

  @Test
  void aRetrySafeActivationClaimedMaxAttemptsTimesEnds() {
    assertThat(ServerLoss.decide(true, 3, 3, "b", 6000))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .contains("pilot of server b was lost (no heartbeat for 6000 ms)")
                    .contains("started 3 times"));
  }

  @Test
  void anActivationThatIsNotRetrySafeEndsAtTheFirstLoss() {
    assertThat(ServerLoss.decide(false, 1, 3, "b", Long.MAX_VALUE))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .startsWith("pilot preempted: pilot of server b was lost (it stopped")
                    .contains("not retry-safe"));
  }
}
