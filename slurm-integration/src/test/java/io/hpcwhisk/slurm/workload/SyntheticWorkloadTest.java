package io.hpcwhisk.slurm.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyntheticWorkloadTest {

  @Test
  void theSameSeedGivesTheSameWorkload() {
    var a = SyntheticWorkload.generate(42, Duration.ofMinutes(10), 4, Duration.ofSeconds(30));
    var b = SyntheticWorkload.generate(42, Duration.ofMinutes(10), 4, Duration.ofSeconds(30));
    var c = SyntheticWorkload.generate(43, Duration.ofMinutes(10), 4, Duration.ofSeconds(30));

    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
  }

  @Test
  void jobsFitTheClusterAndTheirLimitsCoverTheirRuntime() {
    var workload = SyntheticWorkload.generate(7, Duration.ofMinutes(30), 4, Duration.ofSeconds(20));

    assertThat(workload.jobs())
        .isNotEmpty()
        .allSatisfy(
            j -> {
              assertThat(j.nodes()).isBetween(1, 4);
              assertThat(j.limit()).isGreaterThanOrEqualTo(j.runtime());
              assertThat(j.limit().toSeconds() % 60).isZero();
              assertThat(j.offset()).isLessThan(Duration.ofMinutes(30));
            });
    assertThat(workload.jobs().stream().map(j -> j.nodes()).distinct()).contains(1, 4);
  }
}
