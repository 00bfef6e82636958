package io.hpcwhisk.runtime.container;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP/1.1 {@code POST} over a Unix domain socket ({@code Connection: close}, one request per
 * connection), how the pilot speaks to a container's port 8080 through its {@link NetnsForwarder}
 * (the JDK's HTTP client speaks TCP only); see {@link #post}.
 */
public final class UnixHttp {

  private static final int HEAD_LIMIT = 64 * 1024;
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "unix-http-timer");
            t.setDaemon(true);
            return t;
          });

  private UnixHttp() {}

  /**
   * An answer: its status, its body as text (empty when over the limit) and the body's length
   * (counted up to {@code limit + 1}).
   */
  public record Response(int status, String text, long length) {}

  /**
   * Posts {@code body} (JSON) to {@code path} over the socket: connects, writes the request, reads
   * the status line and headers (at most 64 KiB), then the body by {@code Content-Length}, chunked
   * transfer coding, or until the end of the stream, keeping at most {@code limit + 1} bytes of it
   * (enough to know it is over the limit). A timer closes the socket at the deadline, which ends a
   * blocked read: that is an {@link HttpTimeoutException}. A connection that closes before a status
   * line (the forwarder could not reach port 8080 yet) is an {@link IOException}. E.g. {@code
   * post(socket, "/run", "{\"value\":{}}", Duration.ofSeconds(60), 1_048_576)} gives {@code
   * Response[status=200, text={"ok":true}, length=11]}.
   */
  public static Response post(Path socket, String path, String body, Duration timeout, long limit)
      throws IOException {
    byte[] payload = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + payload.length
            + "\r\nConnection: close\r\n\r\n";
    AtomicBoolean expired = new AtomicBoolean();
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ScheduledFuture<?> timer =
          TIMER.schedule(
              () -> {
                expired.set(true);
                try {
                  channel.close();
                } catch (IOException e) {
                  // closing is all we can do
                }
              },
              Math.max(1, timeout.toMillis()),
              TimeUnit.MILLISECONDS);
      try {
        channel.connect(UnixDomainSocketAddress.of(socket));
        writeAll(channel, head.getBytes(StandardCharsets.US_ASCII));
        writeAll(channel, payload);
        InputStream in = Channels.newInputStream(channel);
        return read(in, limit);
      } catch (IOException e) {
        if (expired.get()) {
          throw new HttpTimeoutException("no answer within " + timeout.toMillis() + " ms");
        }
        throw e;
      } finally {
        timer.cancel(false);
      }
    }
  }

  private static void writeAll(SocketChannel channel, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  static Response read(InputStream raw, long limit) throws IOException {
    InputStream in = new BufferedInputStream(raw, 8192);
    String status = line(in);
    if (status == null) {
      throw new IOException("the connection closed before an HTTP answer");
    }
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer: " + cut(status));
    }
    int code;
    try {
      code = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status: " + cut(status));
    }
    long contentLength = -1;
    boolean chunked = false;
    int headBytes = status.length();
    for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
      headBytes += header.length();
      if (headBytes > HEAD_LIMIT) {
        throw new IOException("HTTP headers longer than " + HEAD_LIMIT + " bytes");
      }
      int colon = header.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).strip();
      if (name.equals("content-length")) {
        try {
          contentLength = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new IOException("bad Content-Length: " + cut(value));
        }
      } else if (name.equals("transfer-encoding")
          && value.toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    Kept kept = new Kept(limit);
    if (chunked) {
      while (true) {
        String size = line(in);
        if (size == null) {
          throw new IOException("the chunked answer ended early");
        }
        int semi = size.indexOf(';');
        long n;
        try {
          n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size: " + cut(size));
        }
        if (n == 0) {
          break;
        }
        kept.copy(in, n);
        line(in);
      }
    } else if (contentLength >= 0) {
      kept.copy(in, contentLength);
    } else {
      kept.copy(in, Long.MAX_VALUE);
    }
    return new Response(code, kept.text(), kept.length);
  }

  /** The bytes kept of a body: at most {@code limit}, counting up to {@code limit + 1}. */
  private static final class Kept {
    private final long limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long length;

    Kept(long limit) {
      this.limit = limit;
    }

    void copy(InputStream in, long n) throws IOException {
      byte[] buffer = new byte[8192];
      long left = n;
      while (left > 0 && length <= limit) {
        int got = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (got < 0) {
          if (n == Long.MAX_VALUE) {
            return;
          }
          throw new IOException("the answer ended before its announced length");
        }
        left -= got;
        long room = limit + 1 - length;
        bytes.write(buffer, 0, (int) Math.min(got, room));
        length += Math.min(got, room);
      }
    }

    String text() {
      return length > limit ? "" : bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** One line ending in CRLF (or LF), without it; null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        return sb.length() == 0 ? null : sb.toString();
      }
      if (b == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      if (sb.length() > HEAD_LIMIT) {
        throw new IOException("an HTTP line longer than " + HEAD_LIMIT + " bytes");
      }
      sb.append((char) b);
    }
  }

  private static String cut(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
