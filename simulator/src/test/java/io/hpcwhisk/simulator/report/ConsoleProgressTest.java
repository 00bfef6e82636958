package io.hpcwhisk.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicLong clock = new AtomicLong();

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void staysSilentForQuickRuns() {
    ConsoleProgress progress = new ConsoleProgress(out, "replay", clock::get, 2_000_000_000L);
    clock.set(1_000_000_000L);
    progress.update(0.5);
    progress.done();

    assertThat(printed()).isEmpty();
  }

  @Test
  void drawsABarAfterTheDelayAndEndsTheLine() {
    ConsoleProgress progress = new ConsoleProgress(out, "replay", clock::get, 2_000_000_000L);
    clock.set(2_500_000_000L);
    progress.update(0.5);
    clock.set(2_550_000_000L);
    progress.update(0.6); // throttled: within 100 ms of the last draw
    clock.set(3_000_000_000L);
    progress.done();

    assertThat(printed())
        .isEqualTo(
            "\rreplay [###############               ]  50%   2.5 s"
                + "\rreplay [##############################] 100%   3.0 s"
                + System.lineSeparator());
  }
}
