package io.hpcwhisk.balancer.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The embedded store's write-ahead journal: every change to a map is appended here before a commit
 * is acknowledged, and the MVStore file is written only at checkpoints; the batch format, replay,
 * damage handling and durability are stated in docs/architecture.md, "The embedded store's
 * journal". Not thread-safe: {@link MvStoreDatabase} serialises calls.
 */
final class Journal implements AutoCloseable {

  /** One replayed change; {@code value} is null for a remove. */
  record Change(String map, String key, String value) {}

  private static final byte PUT = 1;
  private static final byte REMOVE = 2;
  private static final Pattern SEGMENT = Pattern.compile("hpc-whisk\\.journal\\.(\\d+)");

  /**
   * An activation id where the store writes one: as a key (length 32 before it), after the
   * separator of an index key, or as a record's or pending entry's {@code activationId}.
   */
  private static final Pattern ACTIVATION_ID =
      Pattern.compile(
          "(?:\u0000\u0000\u0000 |\u0001|\"activationId\":\")([0-9a-f]{32})(?![0-9a-f])");

  /**
   * Begins every batch. Its first byte is 0, which no stored value (JSON, control characters
   * escaped) and no key contains, so data cannot pass for a batch when replay looks for the next
   * one.
   */
  static final int MAGIC = 0x00B7574A;

  /** magic, batch number, length, CRC-32C of those 16 bytes. */
  static final int HEADER = 20;

  /** CRC-32C of the entries. */
  static final int TRAILER = 4;

  private final Path dir;
  private byte[] buffer = new byte[64 * 1024];
  private int buffered;
  private long segmentNumber;
  private FileChannel segment;
  private long segmentBytes;

  /** The number of the next batch written to the current segment (from 0 in each segment). */
  private long nextBatch;

  private Journal(Path dir, long firstSegment) {
    this.dir = dir;
    this.segmentNumber = firstSegment;
  }

  /** The segments in {@code dir}, oldest first. */
  static List<Path> segments(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches())
          .sorted((a, b) -> Long.compare(number(a), number(b)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list journal segments in " + dir, e);
    }
  }

  private static long number(Path segment) {
    Matcher m = SEGMENT.matcher(segment.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Starts journaling into a new segment numbered after every segment already in {@code dir}. */
  static Journal start(Path dir) {
    List<Path> existing = segments(dir);
    long next = existing.isEmpty() ? 1 : number(existing.get(existing.size() - 1)) + 1;
    Journal journal = new Journal(dir, next);
    journal.openSegment();
    return journal;
  }

  private Path segmentFile() {
    return dir.resolve("hpc-whisk.journal." + segmentNumber);
  }

  private void openSegment() {
    Path file = segmentFile();
    try {
      segment =
          FileChannel.open(
              file,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              DataDirectory.OWNER_ONLY_FILE);
      segmentBytes = 0;
      nextBatch = 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create journal segment " + file, e);
    }
  }

  void put(String map, String key, String value) {
    entry(PUT, map, key, value);
  }

  void remove(String map, String key) {
    entry(REMOVE, map, key, null);
  }

  private void entry(byte op, String map, String key, String value) {
    byte[] m = map.getBytes(StandardCharsets.UTF_8);
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    ensure(1 + 4 + m.length + 4 + k.length + (v == null ? 0 : 4 + v.length));
    buffer[buffered++] = op;
    bytes(m);
    bytes(k);
    if (v != null) {
      bytes(v);
    }
  }

  private void bytes(byte[] b) {
    int n = b.length;
    buffer[buffered] = (byte) (n >>> 24);
    buffer[buffered + 1] = (byte) (n >>> 16);
    buffer[buffered + 2] = (byte) (n >>> 8);
    buffer[buffered + 3] = (byte) n;
    System.arraycopy(b, 0, buffer, buffered + 4, n);
    buffered += 4 + n;
  }

  private void ensure(int more) {
    if (buffered + more > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, buffered + more));
    }
  }

  /** The changes buffered since the last call, as one batch's entries (possibly empty). */
  byte[] takeBuffered() {
    byte[] out = Arrays.copyOf(buffer, buffered);
    buffered = 0;
    return out;
  }

  /** Appends one batch to the current segment; returns when the operating system has it. */
  void write(byte[] entries) {
    if (entries.length == 0) {
      return;
    }
    ByteBuffer out = ByteBuffer.allocate(HEADER + entries.length + TRAILER);
    out.putInt(MAGIC).putLong(nextBatch++).putInt(entries.length);
    out.putInt(crc(out.array(), 0, 16));
    out.put(entries).putInt(crc(entries, 0, entries.length)).flip();
    try {
      while (out.hasRemaining()) {
        segment.write(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the store journal in " + dir, e);
    }
    segmentBytes += out.limit();
  }

  private static int crc(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    return (int) crc.getValue();
  }

  long segmentBytes() {
    return segmentBytes;
  }

  /** Closes the current segment and starts the next; returns the closed one's path. */
  Path rotate() {
    Path closed = segmentFile();
    closeSegment();
    segmentNumber++;
    openSegment();
    return closed;
  }

  private void closeSegment() {
    try {
      segment.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close journal segment in " + dir, e);
    }
  }

  @Override
  public void close() {
    closeSegment();
  }

  /**
   * A stretch of a segment that could not be replayed: its byte range, the batch numbers it held
   * (known from its own header or, when that is damaged, from the intact batches around it), why,
   * and every activation id and map key still legible in it (what the lost changes were about).
   *
   * @param firstBatch first batch number lost (numbers start at 0 in each segment), or -1 when not
   *     known
   * @param lastBatch last batch number lost, or -1 when not known (damage after the last intact
   *     batch)
   */
  record Damage(
      long from,
      long to,
      long firstBatch,
      long lastBatch,
      String reason,
      List<String> activationIds,
      List<String> keys) {

    /** "batch 4", "batches 4-6", or "the batch at the end" for the log. */
    String batches() {
      if (firstBatch >= 0 && firstBatch == lastBatch) {
        return "batch " + firstBatch;
      }
      if (firstBatch >= 0 && lastBatch >= firstBatch) {
        return "batches " + firstBatch + "-" + lastBatch;
      }
      if (firstBatch >= 0) {
        return "batch " + firstBatch + (lastBatch == -1 ? " and any after it" : "");
      }
      return lastBatch >= 0 ? "the batches before batch " + (lastBatch + 1) : "the batches in it";
    }
  }

  /**
   * What {@link #replay} read from one segment: the changes of every intact batch, and what it
   * could not read.
   */
  record Replayed(List<Change> changes, int batches, List<Damage> damaged) {

    /** True when some of the segment could not be replayed. */
    boolean torn() {
      return !damaged.isEmpty();
    }
  }

  /** A batch found at some offset: its number, its entries' range, its changes. */
  private record Batch(long number, int entriesFrom, int length, List<Change> changes) {
    int end() {
      return entriesFrom + length + TRAILER;
    }
  }

  /**
   * Reads every intact batch of a segment, in order, and goes on past a damaged one: a batch whose
   * header, length or checksum does not hold is skipped up to the next offset where an intact batch
   * begins (its magic, header checksum and entries checksum all hold), and reported as a {@link
   * Damage}.
   */
  static Replayed replay(Path segment) {
    byte[] all;
    try {
      all = Files.readAllBytes(segment);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read journal segment " + segment, e);
    }
    return replay(all);
  }

  /** As {@link #replay(Path)}, on a segment's bytes. */
  static Replayed replay(byte[] all) {
    List<Change> changes = new ArrayList<>();
    List<Damage> damaged = new ArrayList<>();
    int batches = 0;
    long lastGood = -1;
    int pos = 0;
    while (pos < all.length) {
      Batch batch = batchAt(all, pos);
      if (batch != null) {
        changes.addAll(batch.changes());
        batches++;
        lastGood = batch.number();
        pos = batch.end();
        continue;
      }
      int next = pos + 1;
      Batch after = null;
      for (; next < all.length; next++) {
        after = batchAt(all, next);
        if (after != null) {
          break;
        }
      }
      damaged.add(damage(all, pos, Math.min(next, all.length), lastGood, after));
      pos = next;
    }
    if (batches == 0 && !damaged.isEmpty()) {
      Replayed legacy = replayLegacy(all);
      if (legacy.batches() > 0) {
        return legacy;
      }
    }
    return new Replayed(changes, batches, damaged);
  }

  /** The intact batch that begins at {@code pos}, or null. */
  private static Batch batchAt(byte[] all, int pos) {
    if (all.length - pos < HEADER + TRAILER
        || all[pos] != 0
        || all[pos + 1] != (byte) (MAGIC >>> 16)) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(all, pos, HEADER);
    if (in.getInt() != MAGIC) {
      return null;
    }
    long number = in.getLong();
    int length = in.getInt();
    if (in.getInt() != crc(all, pos, 16)
        || length < 0
        || length > all.length - pos - HEADER - TRAILER) {
      return null;
    }
    int from = pos + HEADER;
    if (ByteBuffer.wrap(all, from + length, TRAILER).getInt() != crc(all, from, length)) {
      return null;
    }
    List<Change> decoded = decode(ByteBuffer.wrap(all, from, length).slice());
    return decoded == null ? null : new Batch(number, from, length, decoded);
  }

  /** What can still be told about the bytes {@code [from, to)} that are no intact batch. */
  private static Damage damage(byte[] all, int from, int to, long lastGood, Batch after) {
    ByteBuffer in = ByteBuffer.wrap(all, from, Math.max(0, Math.min(HEADER, all.length - from)));
    boolean headerIntact =
        in.remaining() == HEADER
            && in.getInt() == MAGIC
            && crc(all, from, 16) == ByteBuffer.wrap(all, from + 16, 4).getInt();
    long first = lastGood + 1; // numbers start at 0 in each segment
    long last = after != null ? after.number() - 1 : -1;
    String reason;
    if (headerIntact) {
      long number = ByteBuffer.wrap(all, from + 4, 8).getLong();
      int length = ByteBuffer.wrap(all, from + 12, 4).getInt();
      first = number;
      last = after != null ? after.number() - 1 : number;
      reason =
          (long) from + HEADER + length + TRAILER > all.length
              ? "cut short: "
                  + (all.length - from)
                  + " of its "
                  + (HEADER + length + TRAILER)
                  + " bytes are there"
              : "its checksum does not match its contents";
    } else if (all.length - from < HEADER) {
      reason = "cut short inside its header";
    } else {
      reason = "its header is damaged";
    }
    // what the lost changes were about: entries as far as they still decode, and every activation
    // id
    // legible anywhere in the damaged bytes (an id is written at least twice per change: key and
    // value)
    List<String> keys = new ArrayList<>();
    int entriesFrom = Math.min(to, from + HEADER);
    ByteBuffer entries = ByteBuffer.wrap(all, entriesFrom, to - entriesFrom).slice();
    while (entries.hasRemaining()) {
      byte op = entries.get();
      String map = string(entries);
      String key = map == null ? null : string(entries);
      if (key == null || (op != PUT && op != REMOVE) || (op == PUT && string(entries) == null)) {
        break;
      }
      keys.add(map + ":" + key);
    }
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    Matcher m =
        ACTIVATION_ID.matcher(new String(all, from, to - from, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      ids.add(m.group(1));
    }
    return new Damage(from, to, first, last, reason, List.copyOf(ids), List.copyOf(keys));
  }

  /**
   * The format before batch numbers ({@code length, CRC-32C, entries}): stops at the first bad
   * batch.
   */
  private static Replayed replayLegacy(byte[] all) {
    ByteBuffer in = ByteBuffer.wrap(all);
    List<Change> changes = new ArrayList<>();
    int batches = 0;
    while (in.remaining() >= 8) {
      int start = in.position();
      int length = in.getInt();
      int expected = in.getInt();
      if (length < 0 || length > in.remaining() || crc(all, in.position(), length) != expected) {
        return new Replayed(
            changes,
            batches,
            List.of(
                new Damage(
                    start,
                    all.length,
                    -1,
                    -1,
                    "a batch of the old journal format is damaged; the rest of the segment is not"
                        + " read",
                    List.of(),
                    List.of())));
      }
      List<Change> decoded = decode(in.slice(in.position(), length));
      if (decoded == null) {
        return new Replayed(
            changes,
            batches,
            List.of(
                new Damage(
                    start,
                    all.length,
                    -1,
                    -1,
                    "a batch of the old journal format does not decode",
                    List.of(),
                    List.of())));
      }
      in.position(in.position() + length);
      changes.addAll(decoded);
      batches++;
    }
    return new Replayed(
        changes,
        batches,
        in.hasRemaining()
            ? List.of(
                new Damage(in.position(), all.length, -1, -1, "cut short", List.of(), List.of()))
            : List.of());
  }

  private static List<Change> decode(ByteBuffer batch) {
    List<Change> out = new ArrayList<>();
    while (batch.hasRemaining()) {
      byte op = batch.get();
      String map = string(batch);
      String key = string(batch);
      if (map == null || key == null || (op != PUT && op != REMOVE)) {
        return null;
      }
      String value = null;
      if (op == PUT) {
        value = string(batch);
        if (value == null) {
          return null;
        }
      }
      out.add(new Change(map, key, value));
    }
    return out;
  }

  private static String string(ByteBuffer in) {
    if (in.remaining() < 4) {
      return null;
    }
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      return null;
    }
    String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }
}
