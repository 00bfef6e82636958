package io.hpcwhisk.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A polling pump's drain is exact: a line written before the drain moment is in that activation's
 * logs when the drain reports done, even when the pump's thread gets no processor time for a while
 * (a gated read stands in for it).
 */
class StreamPumpTest {

  @Test
  void aLineWrittenBeforeTheResultIsInThatActivationEvenWhenTheReaderStalls() throws Exception {
    PipedOutputStream runtime = new PipedOutputStream();
    GatedInputStream pipe = new GatedInputStream(new PipedInputStream(runtime, 1 << 16), false);
    ActivationLogs first = new ActivationLogs(1 << 20);
    ActivationLogs second = new ActivationLogs(1 << 20);
    AtomicBoolean alive = new AtomicBoolean(true);
    StreamPump pump = StreamPump.polling(pipe, "stdout", first, () -> second, "t", alive::get);
    pump.start();

    runtime.write("got 1\npartial".getBytes(StandardCharsets.UTF_8));
    runtime.flush();
    long result = System.nanoTime(); // the runtime answered after writing those bytes
    assertThat(pump.drainedSince(result)).as("not drained while the reader is held").isFalse();

    pipe.open();
    await().atMost(Duration.ofSeconds(30)).until(() -> pump.drainedSince(result));
    pump.switchTo(second);
    assertThat(first.finish(Instant.now(), null))
        .extracting(l -> l.substring(l.indexOf(' ') + 1))
        .containsExactly("stdout: got 1", "stdout: partial");

    pipe.hold();
    runtime.write("got 2\n".getBytes(StandardCharsets.UTF_8));
    runtime.flush();
    long result2 = System.nanoTime();
    assertThat(pump.drainedSince(result2)).as("not drained before the pump looked again").isFalse();
    pipe.open();
    await().atMost(Duration.ofSeconds(30)).until(() -> pump.drainedSince(result2));
    assertThat(second.finish(Instant.now(), null))
        .extracting(l -> l.substring(l.indexOf(' ') + 1))
        .containsExactly("stdout: got 2");

    alive.set(false);
    runtime.close();
    await().atMost(Duration.ofSeconds(30)).until(pump::finished);
  }
}
