package io.hpcwhisk.simulator.trace.idlelog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NodeNamesTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "p0016                         | 1 | {16}",
        "p0016,p2287                   | 2 | {16, 2287}",
        "p[0016,0123-0125]             | 4 | {16, 123, 124, 125}",
        "p0001,p[0002-0003],p0009      | 4 | {1, 2, 3, 9}",
        "'  '                          | 0 | {}",
        "p0005,p0005                   | 2 | {5}"
      })
  void parsesNamesRangesAndMixedLists(String list, int count, String expected) {
    BitSet nodes = new BitSet();
    assertThat(NodeNames.parseList(list, nodes)).isEqualTo(count);
    assertThat(nodes).hasToString(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "n0016",
        "p016",
        "p00016",
        "p[0016",
        "p[]",
        "p[0016-]",
        "p[12-0016]",
        "p[0016,]",
        "P0016"
      })
  void rejectsOtherNameFormats(String list) {
    assertThatThrownBy(() -> NodeNames.parseList(list, new BitSet()))
        .isInstanceOf(NodeNames.MalformedNodeList.class);
  }
}
