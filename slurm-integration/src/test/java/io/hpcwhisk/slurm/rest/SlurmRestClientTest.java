package io.hpcwhisk.slurm.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hpcwhisk.slurm.SlurmAccessException;
import io.hpcwhisk.slurm.SlurmAccessException.Reason;
import io.hpcwhisk.slurm.cli.SlurmCli;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST client against a tiny local HTTP server that answers what a test wants: Slurm's shapes,
 * a refused token, garbage, an enormous or deeply nested answer, an unknown API version, silence.
 * Every failure must be one clear {@link SlurmAccessException} with its reason and never carry the
 * token.
 */
class SlurmRestClientTest {

  private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl";

  @TempDir Path dir;
  private HttpServer server;
  private volatile Consumer<HttpExchange> handler;
  private final List<String> seenTokens = new CopyOnWriteArrayList<>();
  private final List<String> seenPaths = new CopyOnWriteArrayList<>();

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          seenTokens.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("X-SLURM-USER-TOKEN")));
          seenPaths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
          try {
            handler.accept(exchange);
          } finally {
            exchange.close();
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void answer(HttpExchange exchange, int status, String body) {
    try {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
    } catch (IOException e) {
      // the client went away (a bounded read)
    }
  }

  private Path tokenFile(String mode) throws IOException {
    Path file = dir.resolve("token");
    Files.writeString(file, "SLURM_JWT=" + TOKEN + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  private SlurmRestClient client(long maxBytes, Duration timeout) throws IOException {
    return new SlurmRestClient(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        "hpcw",
        new TokenFile(tokenFile("rw-------")),
        timeout,
        maxBytes,
        SlurmCli.CallObserver.NONE);
  }

  private SlurmRestClient client() throws IOException {
    return client(1 << 20, Duration.ofSeconds(5));
  }

  private static String nodes(String parser) {
    return "{\"nodes\":[{\"name\":\"n1\",\"state\":[\"IDLE\"],\"partitions\":[\"whisk\"]}],"
        + "\"meta\":{\"plugin\":{\"data_parser\":\"data_parser/"
        + parser
        + "\"},\"slurm\":{\"release\":\"24.11.5\"}},\"errors\":[],\"warnings\":[]}";
  }

  private static void assertNoToken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(TOKEN).doesNotContain("c2VjcmV0");
    }
  }

  @Test
  void itSendsTheTokenInItsHeaderAndLearnsTheNewestVersionServed() throws IOException {
    handler =
        ex -> {
          if (ex.getRequestURI().getPath().startsWith("/slurm/v0.0.42/")) {
            answer(ex, 404, "Unable to find plugin for path");
          } else {
            answer(ex, 200, nodes("v0.0.41"));
          }
        };
    SlurmRestClient client = client();
    assertThat(client.get("nodes").path("nodes").get(0).path("name").asText()).isEqualTo("n1");
    assertThat(client.version()).contains("v0.0.41");
    client.get("nodes");
    assertThat(seenPaths)
        .containsExactly(
            "GET /slurm/v0.0.42/nodes", "GET /slurm/v0.0.41/nodes", "GET /slurm/v0.0.41/nodes");
    assertThat(seenTokens).containsOnly(TOKEN);
  }

  @Test
  void aRotatedTokenIsPickedUpWithoutARestart() throws IOException {
    handler = ex -> answer(ex, 200, nodes("v0.0.42"));
    SlurmRestClient client = client();
    client.get("nodes");
    Path file = dir.resolve("token");
    Files.writeString(file, "eyJuZXc.bmV3.dG9rZW4\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    client.get("nodes");
    assertThat(seenTokens).containsExactly(TOKEN, "eyJuZXc.bmV3.dG9rZW4");
  }

  @Test
  void aTokenFileOthersCanReadIsRefusedNamingTheFile() throws IOException {
    Path file = tokenFile("rw-r--r--");
    assertThatThrownBy(() -> new TokenFile(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("rw-r--r--")
        .hasMessageContaining("chmod 600")
        .satisfies(SlurmRestClientTest::assertNoToken);
    assertThat(new TokenFile(tokenFile("rw-------")).toString()).doesNotContain(TOKEN);
  }

  @Test
  void aRefusedTokenIsAnAuthErrorThatNamesTheFileButNotTheToken() throws IOException {
    handler = ex -> answer(ex, 401, "Authentication failure");
    assertThatThrownBy(() -> client().get("nodes"))
        .isInstanceOfSatisfying(
            SlurmAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH))
        .hasMessageContaining("refused the token of " + dir.resolve("token"))
        .hasMessageContaining("HTTP 401")
        .satisfies(SlurmRestClientTest::assertNoToken);
  }

  @Test
  void garbageIsRefusedWithWhatCame() throws IOException {
    handler = ex -> answer(ex, 200, "<html>proxy error</html>");
    assertThatThrownBy(() -> client().get("nodes"))
        .isInstanceOfSatisfying(
            SlurmAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
        .hasMessageContaining("is not JSON")
        .hasMessageContaining("<html>proxy error</html>");
  }

  @Test
  void anEnormousAnswerIsCutOffAtItsBound() throws IOException {
    handler =
        ex -> {
          try {
            ex.sendResponseHeaders(200, 0); // chunked, endless
            OutputStream out = ex.getResponseBody();
            byte[] chunk = "{\"nodes\":[".repeat(1000).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 10_000; i++) {
              out.write(chunk);
            }
          } catch (IOException e) {
            // the client hung up: expected
          }
        };
    assertThatThrownBy(() -> client(100_000, Duration.ofSeconds(10)).get("nodes"))
        .isInstanceOfSatisfying(
            SlurmAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
        .hasMessageContaining("larger than 100000 bytes");
  }

  @Test
  void deeplyNestedJsonIsRefused() throws IOException {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    handler = ex -> answer(ex, 200, "{\"nodes\":" + deep + "}");
    assertThatThrownBy(() -> client().get("nodes"))
        .isInstanceOfSatisfying(
            SlurmAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
        .hasMessageContaining("is not JSON Slurm would send")
        .hasMessageContaining("depth");
  }

  @Test
  void anUnknownApiVersionIsNamedInTheMessage() throws IOException {
    handler =
        ex -> {
          if (ex.getRequestURI().getPath().equals("/openapi/v3")) {
            answer(
                ex,
                200,
                "{\"info\":{\"version\":\"Slurm-27.05.0&openapi/slurmctld\"},\"paths\":{"
                    + "\"/slurm/v0.0.44/nodes/\":{},\"/slurm/v0.0.45/jobs/\":{}}}");
          } else {
            answer(ex, 404, "Unable to find plugin for path");
          }
        };
    assertThatThrownBy(() -> client().get("nodes"))
        .isInstanceOfSatisfying(
            SlurmAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.VERSION))
        .hasMessageContaining("v0.0.42, v0.0.41 answered HTTP 404")
        .hasMessageContaining("it offers data_parser v0.0.44, v0.0.45")
        .hasMessageContaining("Slurm-27.05.0");
  }

  @Test
  void anAnswerInAnotherDataParserIsAVersionError() throws IOException {
    handler = ex -> answer(ex, 200, nodes("v0.0.43"));
    assertThatThrownBy(() -> client().get("nodes"))
        .isInstanceOfSatisfying(
            SlurmAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.VERSION))
        .hasMessageContaining("data_parser/v0.0.43");
  }

  @Test
  void slurmctldDownBehindSlurmrestdIsUnreachable() throws IOException {
    handler =
        ex ->
            answer(
                ex,
                500,
                "{\"errors\":[{\"description\":\"Unable to query nodes\",\"error_number\":1007,"
                    + "\"error\":\"Unable to contact slurm controller (connect failure)\"}],"
                    + "\"meta\":{}}");
    assertThatThrownBy(() -> client().get("nodes"))
        .isInstanceOfSatisfying(
            SlurmAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE))
        .hasMessageContaining("Unable to contact slurm controller")
        .hasMessageContaining("slurmctld is not answering");
  }

  @Test
  void aClosedPortIsUnreachableAndSilenceIsATimeout() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    SlurmRestClient nowhere =
        new SlurmRestClient(
            URI.create("http://127.0.0.1:" + closed),
            "hpcw",
            new TokenFile(tokenFile("rw-------")),
            Duration.ofSeconds(5),
            1 << 20,
            SlurmCli.CallObserver.NONE);
    assertThatThrownBy(() -> nowhere.get("nodes"))
        .isInstanceOfSatisfying(
            SlurmAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE))
        .hasMessageContaining("cannot reach slurmrestd at http://127.0.0.1:" + closed)
        .satisfies(SlurmRestClientTest::assertNoToken);

    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      SlurmRestClient slow =
          new SlurmRestClient(
              URI.create("http://127.0.0.1:" + silent.getLocalPort()),
              "hpcw",
              new TokenFile(tokenFile("rw-------")),
              Duration.ofMillis(500),
              1 << 20,
              SlurmCli.CallObserver.NONE);
      assertThatThrownBy(() -> slow.get("nodes"))
          .isInstanceOfSatisfying(
              SlurmAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
          .hasMessageContaining("within 500 ms");
    }
  }

  /**
   * The view asks with {@code update_time} after a first whole read: slurmctld's "no change" (304
   * for /nodes, an empty list with its warning for /jobs, as 24.11.5 answers) keeps the last lists;
   * a changed table is read whole; a hostile empty list without the warning is taken as it is (no
   * job), and garbage fails the pass and leaves the last good answer's time in place.
   */
  @Test
  void anIncrementalReadThatFailsInsideSlurmrestdIsReadWhole() throws IOException {
    List<String> queries = new CopyOnWriteArrayList<>();
    handler =
        ex -> {
          String q = String.valueOf(ex.getRequestURI().getQuery());
          queries.add(ex.getRequestURI().getPath() + "?" + q);
          if (q.startsWith("update_time=")) {
            // what slurmrestd 24.11.5 answered in CI for an unchanged cluster
            answer(
                ex,
                500,
                "{\"errors\":[{\"description\":\"Unable to query partitions\","
                    + "\"error\":\"Unspecified error\"}]}");
          } else {
            answer(
                ex, 200, nodes("v0.0.42").replace("\"errors\"", "\"last_update\":900,\"errors\""));
          }
        };
    SlurmRestClient c = client();
    assertThat(c.get("nodes").path("nodes")).hasSize(1);
    queries.clear();
    Optional<JsonNode> again = c.getChangedSince("nodes", "nodes", 900);
    assertThat(again).isPresent();
    assertThat(again.get().path("nodes")).hasSize(1);
    assertThat(queries)
        .containsExactly("/slurm/v0.0.42/nodes?update_time=900", "/slurm/v0.0.42/nodes?null");
  }

  @Test
  void updateTimeReadsOnlyWhatChanged() throws IOException {
    List<String> queries = new CopyOnWriteArrayList<>();
    String job =
        "{\"job_id\":7,\"name\":\"big\",\"partition\":\"batch\",\"job_state\":[\"RUNNING\"],"
            + "\"nodes\":\"n1\"}";
    String meta = "\"meta\":{\"plugin\":{\"data_parser\":\"data_parser/v0.0.42\"}},\"errors\":[]";
    AtomicReference<String> jobsBody =
        new AtomicReference<>(
            "{\"jobs\":[" + job + "],\"last_update\":{\"number\":1000}," + meta + "}");
    handler =
        ex -> {
          String q = String.valueOf(ex.getRequestURI().getQuery());
          queries.add(ex.getRequestURI().getPath() + "?" + q);
          if (ex.getRequestURI().getPath().endsWith("/nodes")) {
            if (q.startsWith("update_time=")) {
              answer(ex, 304, "");
            } else {
              answer(
                  ex,
                  200,
                  nodes("v0.0.42").replace("\"errors\"", "\"last_update\":900,\"errors\""));
            }
          } else {
            answer(
                ex,
                200,
                q.startsWith("update_time=1000") && jobsBody.get().contains("big")
                    ? "{\"jobs\":[],\"last_update\":{\"number\":0},\"warnings\":[{\"description\":"
                        + "\"No job changes since update_time[1000]\"}],"
                        + meta
                        + "}"
                    : jobsBody.get());
          }
        };
    SlurmRestClusterView view = new SlurmRestClusterView(client(), InstantSource.system());
    var first = view.observe();
    assertThat(first.jobs()).hasSize(1);
    assertThat(first.nodes()).hasSize(1);
    var second = view.observe();
    assertThat(second.jobs()).isSameAs(first.jobs());
    assertThat(second.nodes()).isSameAs(first.nodes());
    assertThat(queries)
        .containsExactly(
            "/slurm/v0.0.42/nodes?null",
            "/slurm/v0.0.42/jobs?null",
            "/slurm/v0.0.42/nodes?update_time=900",
            "/slurm/v0.0.42/jobs?update_time=1000");

    jobsBody.set("{\"jobs\":[],\"last_update\":{\"number\":1100}," + meta + "}");
    assertThat(view.observe().jobs()).as("changed: every job ended").isEmpty();

    jobsBody.set("<html>502</html>");
    assertThatThrownBy(view::observe).hasMessageContaining("not JSON");
    queries.clear();
    jobsBody.set("{\"jobs\":[" + job + "],\"last_update\":{\"number\":1200}," + meta + "}");
    assertThat(view.observe().jobs()).hasSize(1);
    assertThat(queries)
        .as("garbage changed nothing: asked since the last good answer")
        .containsExactly(
            "/slurm/v0.0.42/nodes?update_time=900", "/slurm/v0.0.42/jobs?update_time=1100");
  }
}
