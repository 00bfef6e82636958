package io.hpcwhisk.balancer.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ActivationIdsTest {

  @Test
  void idsAre32HexDigitsUniqueAndSortByTime() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = ActivationIds.next(1_800_000_000_000L);
      assertThat(ActivationIds.isValid(id)).as(id).isTrue();
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
    assertThat(ActivationIds.next(1_800_000_000_001L))
        .isGreaterThan(ActivationIds.next(1_800_000_000_000L));
    assertThat(ActivationIds.next(1_800_000_000_000L))
        .startsWith(Long.toHexString(1_800_000_000_000L));
  }

  @Test
  void anythingElseIsNotAnId() {
    assertThat(ActivationIds.isValid("xyz")).isFalse();
    assertThat(ActivationIds.isValid("0123456789ABCDEF0123456789abcdef")).isFalse();
  }
}
