package io.hpcwhisk.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pilot's HTTP over a Unix socket against a server that answers in each of HTTP's ways. */
class UnixHttpTest {

  @TempDir Path dir;

  /** Serves one connection: reads the request head and body, then writes {@code answer}. */
  private CompletableFuture<String> serveOnce(Path socket, String answer, CountDownLatch hold)
      throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    return CompletableFuture.supplyAsync(
        () -> {
          try (server;
              SocketChannel c = server.accept()) {
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            StringBuilder request = new StringBuilder();
            while (!request.toString().contains("\r\n\r\n") || !request.toString().endsWith("}")) {
              buffer.clear();
              if (c.read(buffer) < 0) {
                break;
              }
              request.append(
                  new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
            }
            if (hold != null) {
              hold.await(30, TimeUnit.SECONDS);
            }
            c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
            return request.toString();
          } catch (Exception e) {
            return "failed: " + e;
          }
        });
  }

  @Test
  void readsALengthDelimitedAnswerAndSendsTheRequestWithItsLength() throws Exception {
    Path socket = dir.resolve("a.sock");
    var request =
        serveOnce(
            socket,
            "HTTP/1.1 200 OK\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: 11\r\n\r\n"
                + "{\"ok\":true}",
            null);

    UnixHttp.Response r =
        UnixHttp.post(socket, "/run", "{\"value\":{}}", Duration.ofSeconds(10), 1000);

    assertThat(r).isEqualTo(new UnixHttp.Response(200, "{\"ok\":true}", 11));
    assertThat(request.get(10, TimeUnit.SECONDS))
        .startsWith("POST /run HTTP/1.1\r\n")
        .contains("Content-Length: 12\r\n")
        .contains("Connection: close\r\n")
        .endsWith("\r\n\r\n{\"value\":{}}");
  }

  @Test
  void readsChunkedAndUntilTheEndAnswers() throws Exception {
    Path chunked = dir.resolve("c.sock");
    serveOnce(
        chunked,
        "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"err\r\n"
            + "8;x=y\r\nor\":\"x\"}\r\n0\r\n\r\n",
        null);
    Path eof = dir.resolve("e.sock");
    serveOnce(eof, "HTTP/1.0 200 OK\r\n\r\n{\"a\":1}", null);

    assertThat(UnixHttp.post(chunked, "/init", "{}", Duration.ofSeconds(10), 1000))
        .isEqualTo(new UnixHttp.Response(502, "{\"error\":\"x\"}", 13));
    assertThat(UnixHttp.post(eof, "/run", "{}", Duration.ofSeconds(10), 1000))
        .isEqualTo(new UnixHttp.Response(200, "{\"a\":1}", 7));
  }

  @Test
  void anAnswerOverTheLimitIsCountedNotKept() throws Exception {
    Path socket = dir.resolve("big.sock");
    String big = "x".repeat(5000);
    serveOnce(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + big, null);

    UnixHttp.Response r = UnixHttp.post(socket, "/run", "{}", Duration.ofSeconds(10), 100);

    assertThat(r.text()).isEmpty();
    assertThat(r.length()).isEqualTo(101);
  }

  @Test
  void noAnswerWithinTheTimeoutIsATimeoutAndAClosedConnectionIsAnError() throws Exception {
    Path slow = dir.resolve("slow.sock");
    CountDownLatch hold = new CountDownLatch(1);
    serveOnce(slow, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", hold);
    Path closes = dir.resolve("closes.sock");
    serveOnce(closes, "", null);

    long t0 = System.nanoTime();
    assertThatThrownBy(() -> UnixHttp.post(slow, "/run", "{}", Duration.ofMillis(300), 100))
        .isInstanceOf(HttpTimeoutException.class)
        .hasMessage("no answer within 300 ms");
    hold.countDown();
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(20);
    assertThatThrownBy(() -> UnixHttp.post(closes, "/init", "{}", Duration.ofSeconds(10), 100))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class)
        .hasMessageContaining("closed before an HTTP answer");
    assertThatThrownBy(
            () -> UnixHttp.post(dir.resolve("none.sock"), "/init", "{}", Duration.ofSeconds(5), 1))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
  }
}
