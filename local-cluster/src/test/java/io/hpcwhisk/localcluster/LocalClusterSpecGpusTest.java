package io.hpcwhisk.localcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalClusterSpecGpusTest {

  @TempDir Path dir;

  @Test
  void gpusDefaultToNoneAndOutOfRangeValuesAreRefusedNamingTheRange() {
    assertThat(LocalClusterSpec.defaults(dir).gpus()).isZero();
    assertThat(LocalClusterSpec.defaults(dir).withGpus(2).gpus()).isEqualTo(2);
    for (int bad : new int[] {-1, 17}) {
      assertThatThrownBy(() -> new LocalClusterSpec(dir, 1, 2, 2000, 10, OptionalInt.empty(), bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--gpus " + bad + " is out of range; expected 0..16 GPUs per node");
    }
  }
}
