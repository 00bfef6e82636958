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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The store's write-ahead journal: every change to a map ({@code put} or {@code remove} of a string
 * key) is appended here before a commit is acknowledged, and the MVStore file itself is written only
 * at checkpoints. A group commit thus costs one {@code write} of the changed entries instead of
 * MVStore re-serialising every page the changes touched.
 *
 * <p>Algorithm: changes are encoded into an in-memory buffer in the order they are applied to the
 * maps; {@link #takeBuffered()} hands the buffer to the committer, which appends it to the current
 * segment file as one batch ({@code length, CRC-32C, entries}). A checkpoint starts a new segment,
 * commits the MVStore file, then deletes the older segments. Replaying a segment sets each key to the
 * value of its last change in that segment, whatever state the file held, so replaying every segment
 * still on disk, in order, over the last checkpoint gives the state of the last written batch, also
 * when the file already holds some later changes (a crash between commit and delete, or MVStore's own
 * background commit).
 *
 * <p>Example: {@code put activations a {...}}, {@code remove pending a} in one batch; after a kill -9
 * the next open replays both onto the file's maps and commits them before the server starts.
 *
 * <p>Known caveats: like the MVStore file, segments are not fsync'ed; a killed process loses nothing
 * that was acknowledged, a power loss may lose the last batches. A batch whose length or checksum does
 * not match (a write torn by a power loss) ends the replay of its segment; it was never acknowledged.
 * Not thread-safe: the database serialises calls (see {@link MvStoreDatabase}).
 */
final class Journal implements AutoCloseable {

  /** One replayed change; {@code value} is null for a remove. */
  record Change(String map, String key, String value) {}

  private static final byte PUT = 1;
  private static final byte REMOVE = 2;
  private static final Pattern SEGMENT = Pattern.compile("hpc-whisk\\.journal\\.(\\d+)");

  private final Path dir;
  private byte[] buffer = new byte[64 * 1024];
  private int buffered;
  private long segmentNumber;
  private FileChannel segment;
  private long segmentBytes;

  private Journal(Path dir, long firstSegment) {
    this.dir = dir;
    this.segmentNumber = firstSegment;
  }

  /** The segments in {@code dir}, oldest first. */
  static List<Path> segments(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches())
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
      segment = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      segmentBytes = 0;
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
    CRC32C crc = new CRC32C();
    crc.update(entries);
    ByteBuffer out = ByteBuffer.allocate(8 + entries.length);
    out.putInt(entries.length).putInt((int) crc.getValue()).put(entries).flip();
    try {
      while (out.hasRemaining()) {
        segment.write(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the store journal in " + dir, e);
    }
    segmentBytes += 8 + entries.length;
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

  /** What {@link #replay} read from one segment: the changes, and whether a torn batch ended it. */
  record Replayed(List<Change> changes, int batches, boolean torn) {}

  /** Reads every intact batch of a segment, in order; stops at the first torn one. */
  static Replayed replay(Path segment) {
    byte[] all;
    try {
      all = Files.readAllBytes(segment);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read journal segment " + segment, e);
    }
    ByteBuffer in = ByteBuffer.wrap(all);
    List<Change> changes = new ArrayList<>();
    int batches = 0;
    while (in.remaining() >= 8) {
      int length = in.getInt();
      int expected = in.getInt();
      if (length < 0 || length > in.remaining()) {
        return new Replayed(changes, batches, true);
      }
      CRC32C crc = new CRC32C();
      crc.update(all, in.position(), length);
      if ((int) crc.getValue() != expected) {
        return new Replayed(changes, batches, true);
      }
      ByteBuffer batch = in.slice(in.position(), length);
      in.position(in.position() + length);
      List<Change> decoded = decode(batch);
      if (decoded == null) {
        return new Replayed(changes, batches, true);
      }
      changes.addAll(decoded);
      batches++;
    }
    return new Replayed(changes, batches, in.hasRemaining());
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
