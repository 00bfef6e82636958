package io.hpcwhisk.balancer.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.balancer.auth.NamespaceLimits;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NamespaceThrottleTest {

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = () -> now.get();

  @Test
  void refusesInvocationsOverThePerMinuteRateWithOpenWhisksMessage() {
    NamespaceThrottle t = new NamespaceThrottle(clock, 2, 10, 100);
    assertThat(t.tryInvoke("a")).isEmpty();
    assertThat(t.tryInvoke("a")).isEmpty();
    assertThat(t.tryInvoke("a"))
        .contains("Too many requests in the last minute (count: 2, allowed: 2).");
    assertThat(t.tryInvoke("b")).as("other namespaces have their own count").isEmpty();
    now.set(now.get().plusSeconds(60));
    assertThat(t.tryInvoke("a")).as("a new minute starts a new count").isEmpty();
  }

  @Test
  void refusesOverTheConcurrencyLimitUntilOneEnds() {
    NamespaceThrottle t = new NamespaceThrottle(clock, 100, 10, 1);
    t.started("a");
    assertThat(t.tryInvoke("a"))
        .contains("Too many concurrent requests in flight (count: 1, allowed: 1).");
    t.ended("a");
    assertThat(t.tryInvoke("a")).isEmpty();
  }

  @Test
  void countsFiresSeparately() {
    NamespaceThrottle t = new NamespaceThrottle(clock, 100, 1, 10);
    assertThat(t.tryFire("a")).isEmpty();
    assertThat(t.tryFire("a")).isPresent();
    assertThat(t.tryInvoke("a")).isEmpty();
  }

  @Test
  void aNamespaceWithItsOwnLimitsUsesThem() {
    NamespaceThrottle t =
        new NamespaceThrottle(
            clock,
            100,
            10,
            10,
            ns -> ns.equals("small") ? new NamespaceLimits(1, null, null) : NamespaceLimits.NONE);
    assertThat(t.tryInvoke("small")).isEmpty();
    assertThat(t.tryInvoke("small"))
        .contains("Too many requests in the last minute (count: 1, allowed: 1).");
    assertThat(t.tryInvoke("other")).isEmpty();
    assertThat(t.effective("small").concurrentInvocations())
        .as("unset limits keep the default")
        .isEqualTo(10);
  }
}
