package io.hpcwhisk.balancer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.WhiskServer;
import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.config.HttpConfig;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.balancer.entity.Json;
import io.hpcwhisk.balancer.invoke.FakeDispatcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile API client over raw sockets against a real server: malformed URIs, methods and headers
 * that Jetty refuses before the API sees them get the API's JSON error body; made-up methods and
 * paths do not grow {@code /metrics}; a slow body is cut off with 408 and a key's bodies in
 * progress are capped with 429.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpHostileIT {

  @TempDir static Path dir;
  private WhiskServer server;
  private int port;
  private String guestAuth;

  @BeforeAll
  void start() throws Exception {
    // body deadline 20 s, at least 100 bytes/s after 2 s, 4 bodies in progress per key
    ServerConfig config =
        ServerConfig.DEFAULT
            .withApi(ServerConfig.DEFAULT.api().withPort(0).withGuest(true).withExecutor("none"))
            .withStore(ServerConfig.DEFAULT.store().withDataDir(dir.toString()))
            .withHttp(new HttpConfig(20, 100, 2, 4, null, null));
    server = WhiskServer.start(config, (clock, host) -> new FakeDispatcher(), "test");
    port = server.address().getPort();
    guestAuth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(Identity.GUEST.authKey().getBytes(StandardCharsets.UTF_8));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** A raw answer: status, content type and body. */
  record Raw(int status, String head, String body) {
    JsonNode json() {
      return Json.read(body, JsonNode.class);
    }
  }

  /**
   * Sends {@code request} as is and reads the answer until the server closes or the body is
   * complete.
   */
  Raw send(byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (SocketException e) {
        // the server may answer and close before it has read everything (too-long headers)
      }
      return readAnswer(s.getInputStream());
    }
  }

  static Raw readAnswer(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int headEnd = -1;
    long length = -1;
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        all.write(buf, 0, n);
        String text = all.toString(StandardCharsets.ISO_8859_1);
        if (headEnd < 0 && (headEnd = text.indexOf("\r\n\r\n")) >= 0) {
          var m =
              Pattern.compile("(?im)^content-length:\\s*(\\d+)")
                  .matcher(text.substring(0, headEnd));
          length = m.find() ? Long.parseLong(m.group(1)) : -1;
        }
        if (headEnd >= 0 && length >= 0 && all.size() >= headEnd + 4 + length) {
          break;
        }
      }
    } catch (SocketException e) {
      // reset after the answer: keep what arrived
    }
    String text = all.toString(StandardCharsets.UTF_8);
    assertThat(text).as("an HTTP answer").startsWith("HTTP/1.1 ");
    int split = text.indexOf("\r\n\r\n");
    return new Raw(
        Integer.parseInt(text.substring(9, 12)),
        text.substring(0, split),
        text.substring(split + 4));
  }

  static List<Object[]> malformed() {
    String longUri = "/api/v1/namespaces/_/actions/" + "a".repeat(20_000);
    return List.of(
        new Object[] {"dot-dot above the root", "GET /api/v1/../../../etc/passwd HTTP/1.1", 400},
        new Object[] {
          "encoded dot-dot", "GET /api/v1/namespaces/_/actions/%2e%2e/%2e%2e/x HTTP/1.1", 400
        },
        new Object[] {"encoded slash", "GET /api/v1/namespaces/_/actions/a%2Fb HTTP/1.1", 400},
        new Object[] {"encoded NUL", "GET /api/v1/namespaces/_/actions/a%00b HTTP/1.1", 400},
        new Object[] {"encoded newline", "GET /api/v1/namespaces/_/actions/a%0Ab HTTP/1.1", 400},
        new Object[] {"empty segment", "GET /api/v1//namespaces//_/actions HTTP/1.1", 400},
        new Object[] {"bad percent-encoding", "GET /api/v1/namespaces/_/actions/%zz HTTP/1.1", 400},
        new Object[] {
          "truncated percent-encoding", "GET /api/v1/namespaces/_/actions/a% HTTP/1.1", 400
        },
        new Object[] {
          "raw NUL in the URI", "GET /api/v1/namespaces/_/actions/a\u0000b HTTP/1.1", 400
        },
        new Object[] {"too-long URI", "GET " + longUri + " HTTP/1.1", 414},
        new Object[] {"control character in the method", "G\u0001T / HTTP/1.1", 400},
        new Object[] {"no HTTP version", "GET /api/v1", 505},
        new Object[] {"unknown HTTP version", "GET /api/v1 HTTP/7.5", 505});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedRequestsGetJsonErrors(String what, String requestLine, int status)
      throws Exception {
    Raw raw =
        send(
            (requestLine + "\r\nHost: 127.0.0.1\r\nAuthorization: " + guestAuth + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    assertJsonError(raw, status);
  }

  @Test
  void tooLongHeadersGetAJsonError() throws Exception {
    Raw raw =
        send(
            ("GET /api/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    assertJsonError(raw, 431);
  }

  @Test
  void madeUpMethodsGetJsonErrors() throws Exception {
    for (String method : List.of("BREW", "PROPFIND", "TRACE", "CONNECT")) {
      Raw raw =
          send(
              (method
                      + " /api/v1/namespaces/_/actions/x HTTP/1.1\r\n"
                      + "Host: 127.0.0.1\r\n"
                      + "Authorization: "
                      + guestAuth
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(raw.status()).as(method + ": " + raw).isBetween(400, 499);
      assertJsonError(raw, raw.status());
    }
  }

  private static void assertJsonError(Raw raw, int status) {
    assertThat(raw.status()).as(raw.head() + "\n" + raw.body()).isEqualTo(status);
    assertThat(raw.head()).containsIgnoringCase("Content-Type: application/json");
    JsonNode body = raw.json();
    assertThat(body.path("error").isTextual()).as(raw.body()).isTrue();
    assertThat(body.path("error").asText()).doesNotContain("<html", "Exception", "at org.");
    assertThat(body.path("code").asText()).matches("[0-9a-f]{32}");
  }

  @Test
  void madeUpMethodsAndPathsDoNotGrowTheMetrics() throws Exception {
    ApiClient guest = new ApiClient("http://127.0.0.1:" + port, Identity.GUEST.authKey());
    assertThat(guest.get("/api/v1/namespaces/_/actions").status()).isEqualTo(200);
    assertThat(
            send("BREW /teapot HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII))
                .status())
        .isEqualTo(404);
    // a request is timed when its answer has been written, so the client may see it before the
    // timer exists
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metrics().contains("method=\"other\",route=\"other\",status=\"404\""));
    String before = metrics();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> sent = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        int n = i;
        sent.add(
            pool.submit(
                () ->
                    send(("M"
                                + Integer.toString(n, 36).toUpperCase()
                                + "X /p"
                                + n
                                + "/api/v1/q"
                                + n
                                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII))
                        .status()));
      }
      for (Future<Integer> f : sent) {
        assertThat(f.get()).isBetween(400, 499);
      }
    } finally {
      pool.shutdownNow();
    }
    String after = metrics();
    long seriesBefore = series(before);
    long seriesAfter = series(after);
    System.out.printf(
        "metrics after 3000 made-up requests: %d -> %d series, %d -> %d bytes%n",
        seriesBefore, seriesAfter, before.length(), after.length());
    // all 3000 land in the timer {method=other, route=other, status=404} the BREW above created
    assertThat(seriesAfter - seriesBefore).isLessThanOrEqualTo(5);
    assertThat(after.length()).isLessThan(before.length() + 2_000);
    assertThat(after).contains("method=\"other\"").doesNotContain("method=\"MX");
  }

  private static long series(String metrics) {
    return metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
  }

  private String metrics() throws Exception {
    var response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @Test
  void anInvokeBodyIsKeptOnlyUpToThePayloadLimit() throws Exception {
    ApiClient guest = new ApiClient("http://127.0.0.1:" + port, Identity.GUEST.authKey());
    ApiClient.Answer a =
        guest.post("/api/v1/namespaces/_/actions/x", "{\"p\":\"" + "x".repeat(3_000_000) + "\"}");
    assertThat(a.status()).isEqualTo(413);
    assertThat(a.error()).contains("> 1048576 bytes");
  }

  /**
   * Starts a PUT that declares {@code length} bytes and sends only the headers and {@code first}.
   */
  private Socket slowPut(String name, int length, String first) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(30_000);
    s.getOutputStream()
        .write(
            ("PUT /api/v1/namespaces/_/actions/"
                    + name
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: "
                    + guestAuth
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + length
                    + "\r\n\r\n"
                    + first)
                .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return s;
  }

  @Test
  void aSlowBodyGets408AndTheKeysFifthBodyGets429() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      long started = System.nanoTime();
      for (int i = 0; i < 4; i++) {
        slow.add(slowPut("slow" + i, 100_000, "{"));
      }
      // the four are in progress: a fifth body from the same key is refused at once
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                try (Socket fifth = slowPut("fifth", 10, "")) {
                  Raw raw = readAnswer(fifth.getInputStream());
                  assertJsonError(raw, 429);
                  assertThat(raw.json().path("error").asText()).contains("at most 4 at once");
                }
              });
      // another key is not affected
      String bob = server.identities().create("bob-hostile").authKey();
      ApiClient other = new ApiClient("http://127.0.0.1:" + port, bob);
      assertThat(
              other
                  .put(
                      "/api/v1/namespaces/_/actions/quick",
                      "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return {}}\"}}")
                  .status())
          .isEqualTo(200);
      // below 100 bytes/s after 2 s: 408 with a JSON body, and the connection is closed
      AtomicInteger timedOut = new AtomicInteger();
      for (Socket s : slow) {
        Raw raw = readAnswer(s.getInputStream());
        assertJsonError(raw, 408);
        assertThat(raw.json().path("error").asText()).contains("below the minimum of 100 bytes/s");
        assertThat(raw.head()).containsIgnoringCase("Connection: close");
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        timedOut.incrementAndGet();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      assertThat(timedOut.get()).isEqualTo(4);
      assertThat(seconds)
          .as("cut off by the rate check, well before the 20 s deadline")
          .isLessThan(15);
      // the cap is released: the same key can send bodies again, and nothing was half-written
      ApiClient guest = new ApiClient("http://127.0.0.1:" + port, Identity.GUEST.authKey());
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  guest
                          .put(
                              "/api/v1/namespaces/_/actions/after",
                              "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){return"
                                  + " {}}\"}}")
                          .status()
                      == 200);
      assertThat(guest.get("/api/v1/namespaces/_/actions/slow0").status()).isEqualTo(404);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }
}
