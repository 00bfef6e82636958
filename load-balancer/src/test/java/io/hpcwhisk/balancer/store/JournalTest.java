package io.hpcwhisk.balancer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    assertThat(r.changes())
        .containsExactly(
            new Journal.Change("m", "k1", "v1"),
            new Journal.Change("other", "k1", "ü ✓ \u0000"),
            new Journal.Change("m", "k1", null),
            new Journal.Change("m", "k2", ""));
  }

  /**
   * A small journal of six batches as the activation store writes them, and where each batch ends.
   */
  private record Written(
      byte[] bytes,
      List<Integer> ends,
      List<List<Journal.Change>> batches,
      List<List<String>> ids) {

    int batchAt(int position) {
      for (int i = 0; i < ends.size(); i++) {
        if (position < ends.get(i)) {
          return i;
        }
      }
      throw new AssertionError(position);
    }

    List<Journal.Change> changesOfAllBut(int lost) {
      List<Journal.Change> out = new ArrayList<>();
      for (int i = 0; i < batches.size(); i++) {
        if (i != lost) {
          out.addAll(batches.get(i));
        }
      }
      return out;
    }
  }

  private static String id(int n) {
    return String.format("%032x", 0xabc000L + n);
  }

  private Written smallJournal() throws Exception {
    List<Integer> ends = new ArrayList<>();
    List<List<Journal.Change>> batches = new ArrayList<>();
    List<List<String>> ids = new ArrayList<>();
    try (Journal j = Journal.start(dir)) {
      for (int b = 0; b < 6; b++) {
        String accepted = id(2 * b);
        String ended = id(2 * b + 1);
        List<Journal.Change> changes =
            List.of(
                new Journal.Change(
                    "pending", accepted, "{\"activationId\":\"" + accepted + "\",\"payload\":{}}"),
                new Journal.Change(
                    "activations", ended, "{\"activationId\":\"" + ended + "\",\"end\":" + b + "}"),
                new Journal.Change(
                    "activationsByNamespace",
                    "guest\u0001" + "0".repeat(19) + "\u0001" + ended,
                    "x"),
                new Journal.Change("pending", ended, null));
        for (Journal.Change c : changes) {
          if (c.value() == null) {
            j.remove(c.map(), c.key());
          } else {
            j.put(c.map(), c.key(), c.value());
          }
        }
        j.write(j.takeBuffered());
        ends.add((int) j.segmentBytes());
        batches.add(changes);
        ids.add(List.of(accepted, ended));
      }
    }
    Path segment = Journal.segments(dir).get(0);
    return new Written(Files.readAllBytes(segment), ends, batches, ids);
  }

  @Test
  void anySingleFlippedByteLosesOnlyItsOwnBatchAndNamesItAndItsActivations() throws Exception {
    Written w = smallJournal();
    for (int position = 0; position < w.bytes().length; position++) {
      for (int mask : new int[] {0x01, 0x80, 0xff}) {
        byte[] damaged = w.bytes().clone();
        damaged[position] ^= (byte) mask;
        Journal.Replayed r = Journal.replay(damaged);
        int lost = w.batchAt(position);
        String where = "byte " + position + " ^ " + mask + " (batch " + lost + ")";
        assertThat(r.changes()).as(where).containsExactlyElementsOf(w.changesOfAllBut(lost));
        assertThat(r.batches()).as(where).isEqualTo(5);
        assertThat(r.damaged())
            .as(where)
            .singleElement()
            .satisfies(
                d -> {
                  assertThat(d.firstBatch()).as(where).isEqualTo(lost);
                  // the last batch's header damaged: nothing after it tells how many batches the
                  // damage hid
                  assertThat(d.lastBatch())
                      .as(where)
                      .isIn(lost == 5 ? List.of(5L, -1L) : List.of((long) lost));
                  assertThat(d.batches()).as(where).startsWith("batch " + lost);
                  assertThat(d.activationIds()).as(where).containsAll(w.ids().get(lost));
                });
      }
    }
  }

  @Test
  void anyTruncationLosesOnlyTheBatchItCutAndNamesIt() throws Exception {
    Written w = smallJournal();
    for (int length = 0; length < w.bytes().length; length++) {
      Journal.Replayed r = Journal.replay(Arrays.copyOf(w.bytes(), length));
      int whole = 0;
      while (whole < w.ends().size() && w.ends().get(whole) <= length) {
        whole++;
      }
      String where = "cut at " + length;
      List<Journal.Change> expected = new ArrayList<>();
      w.batches().subList(0, whole).forEach(expected::addAll);
      assertThat(r.changes()).as(where).containsExactlyElementsOf(expected);
      boolean atBoundary = length == 0 || w.ends().contains(length);
      if (atBoundary) {
        assertThat(r.damaged()).as(where).isEmpty();
      } else {
        int cut = whole;
        assertThat(r.damaged())
            .as(where)
            .singleElement()
            .satisfies(
                d -> {
                  assertThat(d.firstBatch()).as(where).isEqualTo(cut);
                  assertThat(d.batches()).as(where).startsWith("batch " + cut);
                  assertThat(d.reason()).as(where).startsWith("cut short");
                });
      }
    }
  }

  @Test
  void aFlippedByteInTheMiddleKeepsTheBatchesAfterIt() throws Exception {
    Written w = smallJournal();
    Path segment = Journal.segments(dir).get(0);
    byte[] damaged = w.bytes().clone();
    damaged[w.ends().get(2) + 30] ^= 1; // inside batch 3's entries
    Files.write(segment, damaged);
    Journal.Replayed r = Journal.replay(segment);
    assertThat(r.batches()).isEqualTo(5);
    Journal.Damage d = r.damaged().get(0);
    assertThat(d.batches()).isEqualTo("batch 3");
    assertThat(d.reason()).isEqualTo("its checksum does not match its contents");
    assertThat(d.activationIds()).containsExactly(id(6), id(7));
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
      assertThat(Journal.segments(dir))
          .extracting(p -> p.getFileName().toString())
          .containsExactly("hpc-whisk.journal.1", "hpc-whisk.journal.2", "hpc-whisk.journal.3");
    }
  }
}
