package io.hpcwhisk.balancer.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

  record S(String sql, String key) {}

  @Test
  void distinctKeysAreGroupedByStatementInOrderOfFirstAppearance() {
    var batch = List.of(new S("A", "1"), new S("B", "2"), new S("A", "3"), new S("B", "4"));
    assertThat(GroupCommit.runs(batch, S::sql, S::key))
        .containsExactly(
            List.of(new S("A", "1"), new S("A", "3")), List.of(new S("B", "2"), new S("B", "4")));
  }

  @Test
  void aKeyTouchedTwiceKeepsStrictArrivalOrder() {
    // accept of 1, complete of 1, accept of 2: grouping would be fine here, but an update of 1
    // after its completion must never be moved before it
    var batch = List.of(new S("A", "1"), new S("B", "1"), new S("A", "2"), new S("A", "3"));
    assertThat(GroupCommit.runs(batch, S::sql, S::key))
        .containsExactly(
            List.of(new S("A", "1")),
            List.of(new S("B", "1")),
            List.of(new S("A", "2"), new S("A", "3")));
  }
}
