package io.hpcwhisk.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's end reaches the pilot only after every line the runtime wrote before it ended, even
 * when the reader thread is held (a gated read stands in for a loaded machine).
 */
class ResultReaderTest {

  @TempDir Path dir;

  private RandomAccessFile fifo() throws Exception {
    Path path = dir.resolve("fd3");
    Process p = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return new RandomAccessFile(path.toFile(), "rw");
  }

  @Test
  void aLineWrittenJustBeforeTheRuntimeEndedComesBeforeTheEnd() throws Exception {
    try (RandomAccessFile fifo = fifo()) {
      GatedInputStream gate = new GatedInputStream(new FileInputStream(fifo.getFD()), false);
      ResultReader reader =
          new ResultReader(gate, new FileOutputStream(fifo.getFD()), 1 << 20, "t");
      reader.start();
      // the runtime's last words, then it exits, while the reader gets no processor time
      fifo.write("{\"ok\":false,\"error\":\"SyntaxError\"}\n".getBytes(StandardCharsets.UTF_8));
      reader.processExited();
      assertThat(reader.next(0)).as("nothing, not the end, before the reader runs").isNull();

      gate.open();
      ResultReader.Line first = reader.next(30_000);
      assertThat(first.exited()).as("the runtime's line before its end").isFalse();
      assertThat(first.text()).isEqualTo("{\"ok\":false,\"error\":\"SyntaxError\"}");
      assertThat(reader.next(30_000).exited()).isTrue();
    }
  }

  @Test
  void aPartialLineAndALongLineBeforeTheEndAreNotMistakenForIt() throws Exception {
    try (RandomAccessFile fifo = fifo()) {
      ResultReader reader =
          new ResultReader(
              new FileInputStream(fifo.getFD()), new FileOutputStream(fifo.getFD()), 16, "t");
      reader.start();
      fifo.write(("x".repeat(100_000) + "\n").getBytes(StandardCharsets.UTF_8));
      fifo.write("no newline".getBytes(StandardCharsets.UTF_8)); // then the runtime dies
      reader.processExited();

      ResultReader.Line big = reader.next(30_000);
      assertThat(big.exited()).isFalse();
      assertThat(big.oversize()).isTrue();
      assertThat(big.length()).isEqualTo(100_000);
      assertThat(reader.next(30_000).exited())
          .as("the partial line is dropped, the end comes")
          .isTrue();
    }
  }

  @Test
  void aRuntimeCannotEndItselfWithAGuessedMark() throws Exception {
    try (RandomAccessFile fifo = fifo()) {
      ResultReader reader =
          new ResultReader(
              new FileInputStream(fifo.getFD()), new FileOutputStream(fifo.getFD()), 1 << 20, "t");
      reader.start();
      String forged = "hpcwhisk-runtime-ended-" + "0".repeat(24);
      fifo.write((forged + "\n{\"ok\":true}\n").getBytes(StandardCharsets.UTF_8));

      ResultReader.Line first = reader.next(30_000);
      assertThat(first.exited()).as("a guessed mark is an ordinary line").isFalse();
      assertThat(first.text()).isEqualTo(forged);
      assertThat(reader.next(30_000).text()).isEqualTo("{\"ok\":true}");
      reader.processExited();
      assertThat(reader.next(30_000).exited()).isTrue();
    }
  }
}
