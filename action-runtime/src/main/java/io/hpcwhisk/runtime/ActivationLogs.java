package io.hpcwhisk.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The log lines of one activation, in arrival order, bounded by the action's log limit. Each line
 * is formatted as OpenWhisk's activation logs: {@code 2026-11-27T00:55:51.123456789Z stdout: text}.
 * Also counts the end markers the two streams deliver.
 */
final class ActivationLogs {

  static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final long limitBytes;
  private final List<String> lines = new ArrayList<>();
  private final CountDownLatch markers = new CountDownLatch(2);
  private long bytes;
  private boolean truncated;

  ActivationLogs(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  static String format(Instant at, String stream, String text) {
    return TIMESTAMP.format(at) + " " + stream + ": " + text;
  }

  synchronized void add(Instant at, String stream, String text) {
    if (truncated) {
      return;
    }
    long size = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes + size > limitBytes) {
      truncated = true;
      return;
    }
    bytes += size;
    lines.add(format(at, stream, text));
  }

  void markerSeen() {
    markers.countDown();
  }

  /** Waits until both streams delivered their end marker; false when the wait ran out. */
  boolean awaitMarkers(long millis) throws InterruptedException {
    return markers.await(millis, TimeUnit.MILLISECONDS);
  }

  /** The lines so far, with OpenWhisk's truncation notice and the given note (if any) appended. */
  synchronized List<String> finish(Instant at, String note) {
    List<String> out = new ArrayList<>(lines);
    if (truncated) {
      out.add(format(at, "stderr", OpenWhiskMessages.truncatedLogs(limitBytes)));
    }
    if (note != null) {
      out.add(format(at, "stderr", note));
    }
    return out;
  }
}
