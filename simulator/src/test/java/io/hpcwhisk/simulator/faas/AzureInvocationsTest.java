package io.hpcwhisk.simulator.faas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureInvocationsTest {

  @TempDir Path dir;

  /**
   * The published column layout of {@code function_durations_percentiles.anon.dNN.csv} (Azure
   * Functions 2019 trace, AzurePublicDataset): the fixtures follow it exactly, since the real files
   * are not available offline.
   */
  static final String DURATIONS_HEADER =
      "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,"
          + "percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,"
          + "percentile_Average_75,percentile_Average_99,percentile_Average_100\n";

  /**
   * The published layout of {@code invocations_per_function_md.anon.dNN.csv}: four id columns, then
   * minutes 1..1440.
   */
  static String header() {
    StringBuilder b = new StringBuilder("HashOwner,HashApp,HashFunction,Trigger");
    for (int m = 1; m <= 1440; m++) {
      b.append(',').append(m);
    }
    return b.append('\n').toString();
  }

  static String row(String fn, int minute, int count) {
    StringBuilder b = new StringBuilder("o,a," + fn + ",http");
    for (int m = 1; m <= 1440; m++) {
      b.append(',').append(m == minute ? count : 0);
    }
    return b.append('\n').toString();
  }

  @Test
  void spreadsEachMinutesInvocationsOverThatMinuteWithDurationsFromThePercentileFile()
      throws IOException {
    Path inv = dir.resolve("invocations_per_function_md.anon.d01.csv");
    Files.writeString(inv, header() + row("f1", 1, 3) + row("f2", 3, 2));
    Path dur = dir.resolve("function_durations_percentiles.anon.d01.csv");
    Files.writeString(dur, DURATIONS_HEADER + "o,a,f2,250,2,200,300,200,200,225,250,275,299,300\n");
    List<Invocation> out = new ArrayList<>();
    InvocationSources.open("azure:" + inv + ",durations=" + dur + ",seed=3", 0)
        .forEachRemaining(out::add);
    assertThat(out).hasSize(5);
    assertThat(out.subList(0, 3))
        .allSatisfy(
            i -> {
              assertThat(i.arrivalMs()).isBetween(0L, 59_999L);
              assertThat(i.durationMs()).isEqualTo(1000);
            });
    assertThat(out.subList(3, 5))
        .allSatisfy(
            i -> {
              assertThat(i.arrivalMs()).isBetween(120_000L, 179_999L);
              assertThat(i.durationMs()).isEqualTo(250);
            });
  }

  @Test
  void rejectsAFileThatIsNotThePerMinuteFormat() throws IOException {
    Path inv = dir.resolve("x.csv");
    Files.writeString(inv, "a,b,c\n1,2,3\n");
    assertThatThrownBy(() -> InvocationSources.open("azure:" + inv, 0))
        .hasMessageContaining(
            "x.csv:1: header: expected HashOwner,HashApp,HashFunction,Trigger,1,...,1440");
  }
}
