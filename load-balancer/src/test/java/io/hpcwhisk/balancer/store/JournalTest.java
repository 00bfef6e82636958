package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

  @TempDir Path dir;

  @Test
  void batchesReplayInTheOrderTheChangesWereMade() {
    try (Journal j = Journal.start(dir)) {
      j.put("m", "k1", "v1");
      j.put("other", "k1", "ü ✓ \u0000");
      j.write(j.takeBuffered());
      j.remove("m", "k1");
      j.put("m", "k2", "");
      j.write(j.takeBuffered());
      j.write(j.takeBuffered()); // nothing buffered: writes nothing
    }
    Journal.Replayed r = Journal.replay(Journal.segments(dir).get(0));
    assertThat(r.batches()).isEqualTo(2);
    assertThat(r.torn()).isFalse();
    assertThat(r.changes()).containsExactly(
        new Journal.Change("m", "k1", "v1"),
        new Journal.Change("other", "k1", "ü ✓ \u0000"),
        new Journal.Change("m", "k1", null),
        new Journal.Change("m", "k2", ""));
  }

  @Test
  void aSegmentCutShortOrWithAFlippedByteStopsAtTheLastIntactBatch() throws Exception {
    try (Journal j = Journal.start(dir)) {
      j.put("m", "a", "1");
      j.write(j.takeBuffered());
      j.put("m", "b", "2".repeat(100));
      j.write(j.takeBuffered());
    }
    Path segment = Journal.segments(dir).get(0);
    byte[] whole = Files.readAllBytes(segment);

    Files.write(segment, Arrays.copyOf(whole, whole.length - 10));
    Journal.Replayed cut = Journal.replay(segment);
    assertThat(cut.changes()).containsExactly(new Journal.Change("m", "a", "1"));
    assertThat(cut.torn()).isTrue();

    byte[] flipped = whole.clone();
    flipped[flipped.length - 1] ^= 1;
    Files.write(segment, flipped);
    Journal.Replayed corrupt = Journal.replay(segment);
    assertThat(corrupt.changes()).containsExactly(new Journal.Change("m", "a", "1"));
    assertThat(corrupt.torn()).isTrue();
  }

  @Test
  void rotationNumbersSegmentsAfterTheOnesAlreadyThere() {
    try (Journal j = Journal.start(dir)) {
      j.put("m", "a", "1");
      j.write(j.takeBuffered());
      Path closed = j.rotate();
      assertThat(closed.getFileName().toString()).isEqualTo("hpc-whisk.journal.1");
      assertThat(j.segmentBytes()).isZero();
    }
    try (Journal again = Journal.start(dir)) {
      assertThat(Journal.segments(dir)).extracting(p -> p.getFileName().toString())
          .containsExactly("hpc-whisk.journal.1", "hpc-whisk.journal.2", "hpc-whisk.journal.3");
    }
  }
}
