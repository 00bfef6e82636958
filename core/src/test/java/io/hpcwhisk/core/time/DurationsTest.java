package io.hpcwhisk.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "90s, 90, 1m30s",
    "2m, 120, 2m",
    "1h30m, 5400, 1h30m",
    "PT2M, 120, 2m",
    "1d, 86400, 24h",
    "500ms, 0, 500ms"
  })
  void parsesAndFormats(String text, long seconds, String formatted) {
    Duration d = Durations.parse(text);
    assertThat(d.toSeconds()).isEqualTo(seconds);
    assertThat(Durations.format(d)).isEqualTo(formatted);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "m5", "2m 3s", "2x", "P2"})
  void refusesOtherText(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }
}
